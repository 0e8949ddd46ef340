"""The main job end to end: write to a list in a running emulator, then ``cloudflare-lists wait`` on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Dict

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    list_ips,
)

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

TOKEN = "e2e-emulator-token-7b3f0c"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.2, slow_seconds=0.3, seed=20261128)
    with Emulator(config) as running:
        yield running


def append(emulator: Emulator, list_id: str, *ips: str) -> str:
    return append_items(emulator, list_id, [{"ip": ip} for ip in ips])


def wait(emulator: Emulator, operation_id: str, *extra: str, account_id: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=emulator.base_url)
    result = subprocess.run(
        [COMMAND, "wait", account_id or emulator.config.account_id, operation_id, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def test_wait_returns_once_appended_items_are_applied(emulator: Emulator) -> None:
    list_id = create_list(emulator, "e2e_allow")
    operation_id = append(emulator, list_id, "192.0.2.1", "198.51.100.0/24")

    result = wait(emulator, operation_id)

    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["status"] == "completed"
    assert facts["succeeded"] is True
    assert facts["completed_at"].endswith("Z")
    # The next pipeline step can rely on the change: the items are there the moment wait returns.
    assert list_ips(emulator, list_id) == {"192.0.2.1", "198.51.100.0/24"}


def test_wait_on_an_invalid_cidr_write_exits_1_with_the_emulated_error(emulator: Emulator) -> None:
    list_id = create_list(emulator, "e2e_invalid")
    operation_id = append(emulator, list_id, "10.0.0.0/7")

    result = wait(emulator, operation_id)

    assert result.returncode == 1
    facts = json.loads(result.stdout)
    assert facts["status"] == facts["bulk_operation"]["status"] == "failed"
    assert facts["bulk_operation"]["error"] in result.stderr
    assert facts["error"]["type"] == "OperationFailedError"
    assert facts["outcome"] == "failed"
    assert list_ips(emulator, list_id) == set()


def test_a_write_to_a_busy_list_gets_429_and_succeeds_after_the_wait(emulator: Emulator) -> None:
    list_id = create_list(emulator, "e2e_busy")
    first = append(emulator, list_id, "192.0.2.10")

    busy = call(emulator, "POST", f"/{list_id}/items", [{"ip": "192.0.2.11"}])
    assert busy.status_code == 429
    assert busy.json()["success"] is False

    assert wait(emulator, first).returncode == 0
    second = append(emulator, list_id, "192.0.2.11")
    assert wait(emulator, second).returncode == 0
    assert list_ips(emulator, list_id) == {"192.0.2.10", "192.0.2.11"}


def test_every_wait_ends_right_with_30_percent_injected_faults(emulator: Emulator) -> None:
    writes = {}
    for index in range(8):
        list_id = create_list(emulator, f"e2e_faulty_{index}")
        bad = index % 3 == 0
        writes[append(emulator, list_id, "10.0.0.0/7" if bad else f"203.0.113.{index}")] = bad

    emulator.set_faults(0.3)
    outcomes = {operation_id: wait(emulator, operation_id, "--timeout", "90") for operation_id in writes}
    emulator.set_faults(0.0)

    assert sum(emulator.fault_counts.values()) > 0
    for operation_id, bad in writes.items():
        result = outcomes[operation_id]
        assert result.returncode == (1 if bad else 0), result.stderr
        facts = json.loads(result.stdout)
        assert facts["id"] == operation_id
        assert facts["status"] == ("failed" if bad else "completed")


def test_an_upper_case_account_id_is_sent_in_lower_case_and_works(emulator: Emulator) -> None:
    # Like Cloudflare, the emulator refuses upper-case hex in the route (7003); the command normalizes it.
    operation_id = append(emulator, create_list(emulator), "192.0.2.7")
    assert call(emulator, "GET", "").status_code == 200
    upper = emulator.config.account_id.upper()
    refused = requests_get(emulator, f"/accounts/{upper}/rules/lists/bulk_operations/{operation_id}")
    assert refused["errors"][0]["code"] == 7003

    result = wait(emulator, operation_id, account_id=upper)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "completed"


def requests_get(emulator: Emulator, path: str) -> Dict[str, Any]:
    import requests

    response = requests.get(emulator.base_url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    body: Dict[str, Any] = response.json()
    return body


def test_a_wait_on_several_operations_says_each_one_that_did_not_complete_on_stderr(emulator: Emulator) -> None:
    good = append(emulator, create_list(emulator, "e2e_batch"), "192.0.2.1")
    missing = "deadbeef" * 4
    account = emulator.config.account_id
    result = wait(emulator, f"{account}:{missing}", "--timeout", "30", account_id=f"{account}:{good}")
    assert result.returncode == 4
    lines = {json.loads(line)["operation_id"]: json.loads(line) for line in result.stdout.splitlines()}
    assert lines[good]["outcome"] == "completed"
    assert result.stderr.splitlines() == [f"cloudflare-lists: error: {lines[missing]['message']}"]
    assert missing in result.stderr


def test_a_wait_on_several_operations_that_times_out_says_so_on_stderr(emulator: Emulator) -> None:
    slow = EmulatorConfig(token=TOKEN, pending_seconds=0, running_seconds=600)
    with Emulator(slow) as busy:
        operation_id = append(busy, create_list(busy, "e2e_slow"), "192.0.2.1")
        pair = f"{busy.config.account_id}:{operation_id}"
        result = wait(busy, pair, pair, "--timeout", "1", account_id=pair)
    assert result.returncode == 3
    message = json.loads(result.stdout)["message"]
    assert result.stderr.splitlines() == [f"cloudflare-lists: error: {message}"]
    assert "was still running" in message
