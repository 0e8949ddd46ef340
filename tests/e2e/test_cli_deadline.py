"""``--timeout`` is the whole command's deadline, its first read included: against a server that never answers,
or an operation that never finishes, the command ends at the deadline with exit 3 and its JSON document; a
``Retry-After`` that reaches past it ends the command at once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_servers import (
    Behaviour,
    HostileServer,
    answer,
    http_response,
    stall,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID, LIST_ID, OPERATION_ID

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_documents import validated
from tests.e2e.test_cli_sync import COMMAND, TOKEN, run

# Far above --timeout 3: the request timeout (30 s by default), and the 60 s every call once got at least.
LATEST_END = 20.0
# In a command line: a saved plan that creates list 'blocklist', so apply first looks for a list of that name.
PLAN = "{plan}"

# Commands whose first read is of the list (or the account's lists), and the schema of their document.
READING_FIRST = [
    (["sync", ACCOUNT_ID, "blocklist", "--kind", "ip", "--file", "-"], "sync.schema.json"),
    (["lists", ACCOUNT_ID], "lists.schema.json"),
    (["items", ACCOUNT_ID, "blocklist"], "items.schema.json"),
    (["update", ACCOUNT_ID, "blocklist", "--description", "office"], "list.schema.json"),
    (["delete", ACCOUNT_ID, LIST_ID], "list.schema.json"),
    (["apply", PLAN], "sync.schema.json"),
]
READING_FIRST_IDS = ["sync", "lists", "items", "update", "delete", "apply"]


def saved_creating_plan(tmp_path: Path) -> str:
    """A plan saved by ``sync --plan-out`` against the emulator, to create list 'blocklist' with one item."""
    plan_file = tmp_path / "blocklist.plan.json"
    with Emulator(EmulatorConfig(token=TOKEN)) as emulator:
        made = run(
            emulator,
            "sync",
            "blocklist",
            "--kind",
            "ip",
            "--file",
            "-",
            "--plan-out",
            str(plan_file),
            stdin="10.0.0.1\n",
        )
    assert made.returncode == 0, made.stderr
    assert json.loads(plan_file.read_text())["list"]["id"] is None
    return str(plan_file)


def run_against(
    behaviour: Behaviour, args: list[str], tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], float, HostileServer]:
    """``args --timeout 3`` as a process against a hostile server; its result, how long it took, the server."""
    if PLAN in args:
        args = [saved_creating_plan(tmp_path) if word == PLAN else word for word in args]
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDFLARE_")}
    with HostileServer(behaviour) as server:
        env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=server.base_url)
        started = time.monotonic()
        result = subprocess.run(
            [COMMAND, *args, "--timeout", "3"], input="10.0.0.1\n", capture_output=True, text=True, env=env, timeout=90
        )
        ended = time.monotonic() - started
    assert TOKEN not in result.stdout + result.stderr
    return result, ended, server


@pytest.mark.parametrize(
    ("args", "schema"),
    [
        *READING_FIRST,
        (["wait", ACCOUNT_ID, OPERATION_ID], "operation.schema.json"),
        (["status", ACCOUNT_ID, OPERATION_ID], "operation.schema.json"),
    ],
    ids=[*READING_FIRST_IDS, "wait", "status"],
)
def test_a_server_that_never_answers_ends_the_command_at_its_timeout(
    args: list[str], schema: str, tmp_path: Path
) -> None:
    result, ended, _server = run_against(stall(None), args, tmp_path)
    document = validated(result, schema, 3)
    assert "cut off at 3 s, the time left before the deadline" in document["error"]["message"]
    assert "raise the --timeout" in document["error"]["message"]
    if schema == "operation.schema.json":
        assert document["outcome"] == "timeout"
    assert ended < LATEST_END


@pytest.mark.parametrize(("args", "schema"), READING_FIRST, ids=READING_FIRST_IDS)
def test_a_retry_after_past_the_timeout_ends_the_first_read_at_once(
    args: list[str], schema: str, tmp_path: Path
) -> None:
    unavailable = http_response(
        b'{"success": false, "errors": [{"code": 10000, "message": "unavailable"}], "messages": [], "result": null}',
        status="503 Service Unavailable",
        headers=[("Retry-After", "15")],
    )
    result, ended, server = run_against(answer(unavailable), args, tmp_path)
    # The retry the server asks for would end after the deadline, so none is made: the 503 is the answer, an API
    # error (4), as it is for every command; under the 60 s a first read once got alone, it was retried 3 times.
    document = validated(result, schema, 4)
    assert document["error"]["type"] == "TransportError"
    assert "HTTP 503: unavailable" in document["error"]["message"]
    assert server.connections == 1
    assert ended < LATEST_END


def test_a_sync_whose_operation_outlasts_the_timeout_exits_3_with_what_it_had_done() -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=60, running_seconds=60)) as slow:
        started = time.monotonic()
        result = run(
            slow,
            *("sync", "blocklist", "--kind", "ip", "--file", "-", "--timeout", "2", "--progress"),
            stdin="192.0.2.1\n192.0.2.2\n",
        )
        ended = time.monotonic() - started
        stored = slow.lists()["blocklist"]
        [operation] = slow.operations
    document = validated(result, "sync.schema.json", 3)
    assert document["error"]["type"] == "WaitTimeoutError"
    # The wait had what was left of the deadline, said in tenths at most.
    assert re.search(r"at the end of a [0-9]+(\.[0-9])? s wait\.", document["error"]["message"])
    assert document["bulk_operation"]["status"] == "pending"
    assert ended < LATEST_END
    # It created the list and sent its write: the document says so, as the hint does.
    assert (document["changed"], document["created"]) == (True, True)
    assert (document["list"]["id"], document["list"]["name"]) == (stored["id"], "blocklist")
    assert document["counts"] == {"before": 0, "after": 2, "add": 2, "update": 0, "remove": 0}
    assert document["plan"]["writes"] == [{"method": "POST", "items": 2}]
    [write] = document["writes"]
    assert (write["method"], write["items"]) == ("POST", 2)
    assert (write["operation"]["id"], write["operation"]["status"]) == (operation["id"], "pending")
    assert document["items_written"] == 2
    assert f"The new list 'blocklist' ({stored['id']}) is still there" in document["error"]["hint"]
    # And on stderr, the plan in words before the failure's line, as a run that succeeds says it.
    lines = result.stderr.splitlines()
    said = lines.index("blocklist (a new list): add 2, update 0, remove 0 (of 0 items now); POST of 2 items")
    assert lines[said + 1 : said + 3] == ["  + 192.0.2.1", "  + 192.0.2.2"]
    assert lines[-1].startswith("cloudflare-lists: error: Bulk operation ") and said < len(lines) - 1
