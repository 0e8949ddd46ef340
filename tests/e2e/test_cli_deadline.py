"""``--timeout`` is the whole command's deadline, its first read included: against a server that never answers,
or an operation that never finishes, the command ends at the deadline with exit 3 and its JSON document."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_servers import HostileServer, stall
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID, OPERATION_ID

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_documents import validated
from tests.e2e.test_cli_sync import COMMAND, TOKEN, run

# Far above --timeout 3: the request timeout (30 s by default), and the 60 s every call once got at least.
LATEST_END = 20.0


@pytest.mark.parametrize(
    ("args", "schema"),
    [
        (["sync", ACCOUNT_ID, "blocklist", "--kind", "ip", "--file", "-"], "sync.schema.json"),
        (["wait", ACCOUNT_ID, OPERATION_ID], "operation.schema.json"),
        (["status", ACCOUNT_ID, OPERATION_ID], "operation.schema.json"),
        (["lists", ACCOUNT_ID], "lists.schema.json"),
        (["items", ACCOUNT_ID, "blocklist"], "items.schema.json"),
    ],
    ids=["sync", "wait", "status", "lists", "items"],
)
def test_a_server_that_never_answers_ends_the_command_at_its_timeout(args: list[str], schema: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDFLARE_")}
    with HostileServer(stall(None)) as server:
        env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=server.base_url)
        started = time.monotonic()
        result = subprocess.run(
            [COMMAND, *args, "--timeout", "3"], input="10.0.0.1\n", capture_output=True, text=True, env=env, timeout=90
        )
        ended = time.monotonic() - started
    document = validated(result, schema, 3)
    assert "cut off at 3 s, the time left before the deadline" in document["error"]["message"]
    assert "raise the --timeout" in document["error"]["message"]
    if schema == "operation.schema.json":
        assert document["outcome"] == "timeout"
    assert ended < LATEST_END


def test_a_sync_whose_operation_outlasts_the_timeout_exits_3_with_its_last_status() -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=60, running_seconds=60)) as slow:
        started = time.monotonic()
        result = run(slow, "sync", "blocklist", "--kind", "ip", "--file", "-", "--timeout", "2", stdin="10.0.0.1\n")
        ended = time.monotonic() - started
    document = validated(result, "sync.schema.json", 3)
    assert document["error"]["type"] == "WaitTimeoutError"
    # The wait had what was left of the deadline, said in tenths at most.
    assert re.search(r"at the end of a [0-9]+(\.[0-9])? s wait\.", document["error"]["message"])
    assert document["bulk_operation"]["status"] == "pending"
    assert ended < LATEST_END
