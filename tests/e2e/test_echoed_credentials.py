"""A server that echoes the credential into every kind of answer the core quotes: no adapter shows any of it.

Hostile behaviours covered (``EchoingListsApi`` of ``tests/support/hostile_servers.py``), each through the command, the
module and the Pulumi provider, as real processes: the credential as a write's ``operation_id``; as the id of a
second list of the same name; in a malformed list object, cut short where it is quoted; late in an invalid item
(cut mid-credential where it is quoted); cut to 20 characters by the server in a failed operation's error; upper-
cased in that error; lower-cased in a hostname read back after the write. No run of 12 characters of it, in any
case, may appear in stdout, stderr, a task result, Pulumi's error or outputs, or the provider's stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_servers import EchoingListsApi, HostileServer
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT

from pulumi_provider import RulesListProvider
from pulumi_provider.testing import ProviderCallError
from tests.e2e.pulumi_engine import EngineResource, clean_env, provider_server

# Mixed case, so an upper- or lower-cased echo differs from it; a valid host name once lower-cased.
TOKEN = "hx-SECRET-token-1234567890abcdef"
# A run this long of the credential's characters still names it (quoting.PART_CHARS).
PART_CHARS = 12
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
MODULE = "ansible_collections.edgeops.cloudflare_lists.plugins.modules.rules_list"
KINDS = {"hostname_read_back": "hostname"}
ITEMS = {"ip": ["10.0.0.1"], "hostname": ["example.com"]}
# What each scenario fails with, in the module's error_type.
ERROR_TYPES = {
    "operation_id": "MalformedResponseError",
    "duplicate_list": "ConflictError",
    "malformed_list": "MalformedResponseError",
    "invalid_item": "MalformedResponseError",
    "truncated_error": "OperationFailedError",
    "upper_cased_error": "OperationFailedError",
    "hostname_read_back": "VerificationError",
}


def assert_no_trace(text: str) -> None:
    """Not the credential, nor any run of PART_CHARS of its characters, in any case."""
    lowered = text.lower()
    for start in range(len(TOKEN) - PART_CHARS + 1):
        run = TOKEN[start : start + PART_CHARS].lower()
        assert run not in lowered, f"{run!r} leaked in: {text[:2000]}"


@pytest.fixture(params=EchoingListsApi.SCENARIOS)
def echoing(request: pytest.FixtureRequest) -> Any:
    api = EchoingListsApi(request.param, kind=KINDS.get(request.param, "ip"), exists=False)
    with HostileServer(api) as server:
        yield api, server


def test_the_command_never_shows_an_echoed_credential(
    echoing: Tuple[EchoingListsApi, HostileServer], tmp_path: Path
) -> None:
    api, server = echoing
    items = tmp_path / "items.txt"
    items.write_text("\n".join(ITEMS[api.kind]) + "\n")
    env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=server.base_url)
    result = subprocess.run(
        [COMMAND, "sync", ACCOUNT, api.name, "--file", str(items), "--kind", api.kind, "--progress", "--timeout", "20"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode in (1, 4), result.stderr
    assert "cloudflare-lists: error: " in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_trace(result.stdout + result.stderr)


def test_the_ansible_module_never_returns_an_echoed_credential(
    echoing: Tuple[EchoingListsApi, HostileServer], tmp_path: Path
) -> None:
    api, server = echoing
    params: Dict[str, Any] = {
        "account_id": ACCOUNT,
        "name": api.name,
        "kind": api.kind,
        "items": ITEMS[api.kind],
        "api_token": TOKEN,
        "base_url": server.base_url,
        "wait_timeout": 20,
    }
    path = tmp_path / "args.json"
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
    result = subprocess.run(
        [sys.executable, "-m", MODULE, str(path)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )
    assert_no_trace(result.stdout + result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    output = json.loads(result.stdout)
    assert output["failed"] is True
    assert output["error_type"] == ERROR_TYPES[api.scenario], output["msg"]


def test_the_pulumi_provider_never_reports_an_echoed_credential(echoing: Tuple[EchoingListsApi, HostileServer]) -> None:
    api, server = echoing
    config = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": server.base_url}
    with provider_server(config) as provider:
        resource = EngineResource(provider, RulesListProvider())
        inputs = {
            "account_id": ACCOUNT,
            "name": api.name,
            "kind": api.kind,
            "items": ITEMS[api.kind],
            "wait_timeout": 20,
        }
        with pytest.raises(ProviderCallError) as info:
            resource.up(inputs)
        # As the engine gets it: the error's message alone (the Ansible test above checks which error it is).
        assert info.value.details and not info.value.details.startswith("Traceback")
        assert_no_trace(info.value.details + provider.stderr)
