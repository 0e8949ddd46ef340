"""BulkOperation's provider through the real provider server (``python -m pulumi.dynamic``), against the emulator.

Each call goes over gRPC as the engine makes it: properties encoded as protobuf Structs, the provider unpickled
from ``__provider`` in a process that never ran a program, errors back as ``UNKNOWN`` with the traceback.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import dill
import pytest
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import BulkOperationProvider
from pulumi_provider.testing import ProviderCallError, ProviderServer
from tests.e2e.pulumi_engine import (
    ACCOUNT,
    BAD_ITEMS,
    GOOD_ITEMS,
    clean_env,
    provider_server,
    stack_config,
    without_provider,
)
from tests.lists_api import write_items

TOKEN = "pulumi-e2e-token-6b0d2f"  # distinctive, so any leak is found by searching for it
DEMO = Path(__file__).resolve().parents[2] / "examples" / "pulumi" / "run_demo.py"
FACTS = ("status", "finished", "succeeded", "completed_at", "error")

Created = Tuple[str, Dict[str, Any], Dict[str, Any]]  # id, checked inputs, outputs


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as emu:
        yield emu


@pytest.fixture(scope="module")
def server(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderServer]:
    """One server for the module, run in an empty directory as the engine runs it in the program's."""
    with provider_server(stack_config(emulator), cwd=str(tmp_path_factory.mktemp("program"))) as srv:
        yield srv


@pytest.fixture(scope="module")
def created(server: ProviderServer, emulator: Emulator) -> Created:
    """Configure -> Check -> Create, once; the lifecycle tests go on from this state."""
    checked = server.check({"account_id": ACCOUNT, "operation_id": write_items(emulator, GOOD_ITEMS)})
    assert checked.failures == []
    id_, outs = server.create(checked.inputs)
    return id_, checked.inputs, outs


def operation(server: ProviderServer, emulator: Emulator, items: List[Dict[str, Any]], **inputs: Any) -> Created:
    checked = server.check({"account_id": ACCOUNT, "operation_id": write_items(emulator, items), **inputs})
    assert checked.failures == []
    id_, outs = server.create(checked.inputs)
    return id_, checked.inputs, outs


def wait_until_forgotten(emulator: Emulator, operation_id: str) -> None:
    """Until the emulator drops the finished operation (``operation_ttl_seconds``): a GET is then a 404."""
    deadline = time.monotonic() + 10
    while any(op["id"] == operation_id for op in emulator.operations):
        assert time.monotonic() < deadline, "the emulator never forgot the operation"
        time.sleep(0.02)


# ------------------------------------------------------------------------------------------------ lifecycle
def test_check_fills_in_defaults_and_passes_the_pickled_provider_through(created: Created) -> None:
    _, inputs, _ = created
    assert without_provider(inputs) == {
        "account_id": ACCOUNT,
        "operation_id": inputs["operation_id"],
        "wait": True,
        "wait_timeout": 900.0,
        "wait_max_interval": 30.0,
        "fail_on_operation_failure": True,
    }
    assert isinstance(dill.loads(base64.b64decode(inputs["__provider"])), BulkOperationProvider)


def test_create_waits_until_the_operation_completed_and_records_flat_facts(created: Created) -> None:
    id_, inputs, outs = created
    assert id_ == inputs["operation_id"]
    assert without_provider(outs) == {
        **without_provider(inputs),
        "status": "completed",
        "finished": True,
        "succeeded": True,
        "completed_at": outs["completed_at"],  # null values (error) are not stored at all
    }
    assert outs["completed_at"].endswith("Z")


def test_read_refreshes_to_the_same_outputs_so_refresh_shows_no_change(
    server: ProviderServer, created: Created
) -> None:
    id_, _, outs = created
    assert server.read(id_, outs) == (id_, outs)


def test_diff_with_the_same_inputs_and_a_repickled_provider_is_empty(server: ProviderServer, created: Created) -> None:
    id_, inputs, outs = created
    repickled = base64.b64encode(dill.dumps(BulkOperationProvider(), protocol=2)).decode()
    assert repickled != inputs["__provider"]
    diff = server.diff(id_, outs, {**inputs, "__provider": repickled})
    assert (diff.changes, diff.replaces) == ("none", [])


@pytest.mark.parametrize(
    ("name", "value"), [("operation_id", "4da8780eeb215e6cb7f48dd981c4ea02"), ("account_id", "0" * 32)]
)
def test_diff_of_a_new_operation_or_account_replaces(
    server: ProviderServer, created: Created, name: str, value: str
) -> None:
    id_, inputs, outs = created
    diff = server.diff(id_, outs, {**inputs, name: value})
    assert (diff.changes, diff.replaces) == ("some", [name])


def test_diff_of_wait_settings_updates_in_place(server: ProviderServer, created: Created) -> None:
    id_, inputs, outs = created
    news = {**inputs, "wait_timeout": 60.0, "wait_max_interval": 5.0, "fail_on_operation_failure": False}
    diff = server.diff(id_, outs, news)
    assert (diff.changes, diff.replaces) == ("some", [])


def test_update_records_new_settings_without_an_api_call(
    server: ProviderServer, emulator: Emulator, created: Created
) -> None:
    id_, inputs, outs = created
    before = emulator.request_count
    updated = server.update(id_, outs, {**inputs, "wait_timeout": 60.0})
    assert emulator.request_count == before
    assert updated == {**outs, "wait_timeout": 60.0}


def test_delete_makes_no_api_call(server: ProviderServer, emulator: Emulator, created: Created) -> None:
    id_, _, outs = created
    before = emulator.request_count
    server.delete(id_, outs)
    assert emulator.request_count == before


def test_update_waits_when_wait_turns_on_for_an_operation_recorded_unfinished(
    server: ProviderServer, emulator: Emulator
) -> None:
    id_, inputs, outs = operation(server, emulator, GOOD_ITEMS, wait=False)
    assert outs["finished"] is False
    updated = server.update(id_, outs, {**inputs, "wait": True})
    assert (updated["status"], updated["wait"]) == ("completed", True)


def test_preview_with_an_operation_id_not_known_yet_checks_and_plans_a_replace(
    server: ProviderServer, created: Created
) -> None:
    id_, inputs, outs = created
    checked = server.check({"account_id": ACCOUNT, "operation_id": UNKNOWN})
    assert checked.failures == [] and isinstance(checked.inputs["operation_id"], Unknown)
    diff = server.diff(id_, outs, {**inputs, "operation_id": UNKNOWN})
    assert diff.replaces == ["operation_id"]


# ------------------------------------------------------------------------------------------------ failures
def test_failed_operation_fails_create_with_cloudflares_reason(server: ProviderServer, emulator: Emulator) -> None:
    operation_id = write_items(emulator, BAD_ITEMS)
    checked = server.check({"account_id": ACCOUNT, "operation_id": operation_id})
    with pytest.raises(ProviderCallError) as caught:
        server.create(checked.inputs)
    assert caught.value.code.name == "UNKNOWN"
    message = caught.value.message
    assert caught.value.details == message  # the message alone, as `pulumi up` shows it: no traceback
    assert message.startswith(f"Cloudflare bulk operation {operation_id} (account {ACCOUNT}) failed:")
    assert "IPv4 CIDR prefixes must be between /8 and /32" in message
    assert "fail_on_operation_failure=False" in message


def test_failed_operation_is_recorded_when_failures_should_not_fail(server: ProviderServer, emulator: Emulator) -> None:
    _, _, outs = operation(server, emulator, BAD_ITEMS, fail_on_operation_failure=False)
    assert (outs["status"], outs["finished"], outs["succeeded"]) == ("failed", True, False)
    assert "/8 and /32" in outs["error"]


def test_timeout_fails_create_with_the_last_status() -> None:
    slow = EmulatorConfig(token=TOKEN, pending_seconds=60.0)
    with Emulator(slow) as emulator, provider_server(stack_config(emulator)) as srv:
        checked = srv.check(
            {"account_id": ACCOUNT, "operation_id": write_items(emulator, GOOD_ITEMS), "wait_timeout": 0.3}
        )
        with pytest.raises(ProviderCallError) as caught:
            srv.create(checked.inputs)
    message = caught.value.message
    assert message.startswith("Bulk operation ")
    assert "was still pending after" in message and "at the end of a 0.3 s wait" in message
    assert "run `pulumi up` again to keep waiting" in message


def test_check_reports_each_bad_input_as_a_failure_not_an_error(server: ProviderServer) -> None:
    checked = server.check(
        {"account_id": "my-account", "operation_id": "", "wait": "yes", "wait_timeout": -5, "wait_max_interval": 0}
    )
    reasons = dict(checked.failures)
    assert sorted(reasons) == ["account_id", "operation_id", "wait", "wait_max_interval", "wait_timeout"]
    # The problem alone: the engine names the property and its value before it.
    assert reasons["account_id"].startswith("expected the 32 hexadecimal characters")
    assert reasons["wait_timeout"].endswith("zero or more seconds, got -5.")  # as written, not as a float


def test_missing_credentials_fail_with_the_config_keys_to_set(emulator: Emulator) -> None:
    with provider_server({"cloudflare:baseUrl": emulator.base_url}) as srv:
        checked = srv.check({"account_id": ACCOUNT, "operation_id": write_items(emulator, GOOD_ITEMS)})
        with pytest.raises(ProviderCallError) as caught:
            srv.create(checked.inputs)
    assert "no Cloudflare credentials found" in caught.value.message
    assert "`pulumi config set --secret cloudflare:apiToken <token>`" in caught.value.message


# ------------------------------------------------------------------------------------------------ credentials, state
def test_credentials_come_from_the_environment_when_the_stack_has_none(emulator: Emulator) -> None:
    env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=emulator.base_url)
    with provider_server({}, env=env) as srv:
        _, _, outs = operation(srv, emulator, GOOD_ITEMS)
    assert outs["status"] == "completed"


def test_token_never_reaches_outputs_state_logs_or_errors(emulator: Emulator) -> None:
    seen: List[Any] = []
    with provider_server(stack_config(emulator)) as srv:
        id_, inputs, outs = operation(srv, emulator, GOOD_ITEMS, wait=False)
        seen += [inputs, outs, srv.read(id_, outs), srv.diff(id_, outs, inputs).__dict__]
        seen.append(srv.update(id_, outs, {**inputs, "wait": True}))
        with pytest.raises(ProviderCallError) as failed:
            operation(srv, emulator, BAD_ITEMS)
        seen += [failed.value.details, srv.stderr]
    with provider_server({**stack_config(emulator), "cloudflare:apiToken": TOKEN + "-wrong"}) as wrong:
        with pytest.raises(ProviderCallError) as refused:
            operation(wrong, emulator, GOOD_ITEMS)
        seen += [refused.value.details, wrong.stderr]
    assert "HTTP 403: Authentication error" in refused.value.message
    assert TOKEN not in json.dumps(seen)
    assert TOKEN.encode() not in base64.b64decode(outs["__provider"])


def test_state_from_one_server_is_refreshed_and_destroyed_by_a_fresh_one(
    server: ProviderServer, emulator: Emulator, created: Created, tmp_path: Path
) -> None:
    # Like `pulumi refresh` or `destroy` on another machine: a new process unpickles the provider from state.
    id_, _, outs = created
    with provider_server(stack_config(emulator), cwd=str(tmp_path)) as fresh:
        assert fresh.port != server.port
        assert fresh.read(id_, outs) == (id_, outs)
        fresh.delete(id_, outs)


def test_refresh_keeps_the_last_facts_once_cloudflare_forgets_the_operation() -> None:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.0, running_seconds=0.0, operation_ttl_seconds=0.5)
    with Emulator(config) as forgetful, provider_server(stack_config(forgetful)) as srv:
        srv.check({})  # unpickle (and import) the provider now, so Create follows the write at once
        id_, _, outs = operation(srv, forgetful, GOOD_ITEMS)
        assert outs["status"] == "completed"
        wait_until_forgotten(forgetful, id_)
        assert srv.read(id_, outs) == (id_, outs)


def test_refresh_reports_gone_an_operation_never_seen_finished_that_cloudflare_does_not_know(
    server: ProviderServer, created: Created
) -> None:
    _, inputs, outs = created
    unknown = "f" * 32
    stale = {**outs, "operation_id": unknown, "status": "pending", "finished": False, "succeeded": False}
    assert server.read(unknown, stale) == ("", {"__provider": inputs["__provider"]})


# ------------------------------------------------------------------------------------------------ demo
def test_demo_without_the_pulumi_cli_says_so_and_prints_the_facts_as_json(emulator: Emulator, tmp_path: Path) -> None:
    env = clean_env(
        CLOUDFLARE_API_TOKEN=TOKEN,
        CLOUDFLARE_BASE_URL=emulator.base_url,
        CLOUDFLARE_ACCOUNT_ID=ACCOUNT,
        CLOUDFLARE_OPERATION_ID=write_items(emulator, GOOD_ITEMS),
        PATH=os.pathsep.join([str(tmp_path), str(Path(sys.executable).parent)]),  # no pulumi CLI on it
    )
    done = subprocess.run([sys.executable, str(DEMO)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first.startswith("pulumi CLI not found")
    facts = json.loads(rest)
    assert list(facts) == ["account_id", "operation_id", "status", "finished", "succeeded", "completed_at", "error"]
    assert (facts["status"], facts["succeeded"], facts["error"]) == ("completed", True, None)
    assert TOKEN not in done.stdout + done.stderr
