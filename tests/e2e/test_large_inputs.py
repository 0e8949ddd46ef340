"""Large inputs end on time and in bounded memory: a wait given a million operations, a 13 MiB write to the emulator.

Covered: ``cloudflare-lists wait --from`` a file of 1,000,000 operations with ``--timeout 5`` (refused at once, in
a process whose address space is capped at 1 GiB, after reading no more of the file than the bound); the emulator
checking the items of a 13 MiB write while another account's request arrives (it is answered while that check is
still running, not after it).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, List

import pytest
import requests
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import MAX_OPERATIONS

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from edgeops_cloudflare_lists.emulator import state as emulator_state
from tests.e2e.pulumi_engine import clean_env
from tests.hostile_servers import HostileServer, answer, http_response, operation_bytes

TOKEN = "large-inputs-token-2b3c4d5e6f"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER_ACCOUNT = "0123456789abcdef0123456789abcdef"
MEMORY = 1024 * 1024 * 1024


def cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def test_a_wait_on_a_million_operations_is_refused_at_once_without_reading_them_all(tmp_path: Path) -> None:
    operations = tmp_path / "operations.txt"
    operations.write_text("".join(f"{ACCOUNT_ID}:{number:032x}\n" for number in range(1_000_000)))
    with HostileServer(answer(http_response(operation_bytes("pending")))) as server:
        env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=server.base_url)
        try:
            result = subprocess.run(
                [COMMAND, "wait", "--from", str(operations), "--timeout", "5"],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                preexec_fn=cap_memory,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("a wait given a million operations and --timeout 5 was still running after 30 s")
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"more than {MAX_OPERATIONS} operations given; one wait takes at most {MAX_OPERATIONS}" in result.stderr
    assert "Split them into several waits" in result.stderr
    assert server.requests == []


def thirteen_mib_of_items() -> List[Any]:
    comment = "c" * 400
    count = 13 * 1024 * 1024 // 430
    return [{"ip": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "comment": comment} for n in range(count)]


def test_the_emulator_answers_other_accounts_while_it_checks_a_13_mib_write(monkeypatch: pytest.MonkeyPatch) -> None:
    checking = threading.Event()
    answered = threading.Event()
    checked = threading.Event()
    original = emulator_state.validate_item
    items = thirteen_mib_of_items()

    def validate_item(kind: str, raw: Any, index: int, **options: Any) -> Any:
        if index == 1000:  # well into the write's items: hold the check until the other account is answered
            checking.set()
            answered.wait(15)
        valid = original(kind, raw, index, **options)
        if index == len(items) - 1:
            checked.set()
        return valid

    monkeypatch.setattr(emulator_state, "validate_item", validate_item)
    body = json.dumps(items)
    assert len(body) > 13 * 1024 * 1024
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with Emulator(EmulatorConfig(token=TOKEN, max_items_per_account=10**6)) as emulator:
        lists = f"{emulator.base_url}/accounts/{ACCOUNT_ID}/rules/lists"
        list_id = requests.post(lists, json={"name": "large", "kind": "ip"}, headers=headers, timeout=10).json()
        write_result: List[Any] = []

        def write() -> None:
            response = requests.put(
                f"{lists}/{list_id['result']['id']}/items",
                data=body,
                headers={**headers, "Content-Type": "application/json"},
                timeout=120,
            )
            write_result.append(response.status_code)

        writer = threading.Thread(target=write)
        writer.start()
        assert checking.wait(60), "the emulator never started checking the write's items"
        other = requests.get(f"{emulator.base_url}/accounts/{OTHER_ACCOUNT}/rules/lists", headers=headers, timeout=30)
        still_checking = not checked.is_set()
        answered.set()
        writer.join(120)
    assert other.status_code == 200
    assert still_checking, "the other account was answered only after the write's items were checked"
    assert write_result == [200]


def test_a_write_checked_outside_the_lock_still_meets_a_pending_operation() -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=30)) as emulator:
        lists = f"{emulator.base_url}/accounts/{ACCOUNT_ID}/rules/lists"
        list_id = requests.post(lists, json={"name": "two", "kind": "ip"}, headers=headers, timeout=10).json()
        items = f"{lists}/{list_id['result']['id']}/items"
        first = requests.post(items, json=[{"ip": "10.0.0.1"}], headers=headers, timeout=10)
        second = requests.post(items, json=[{"ip": "10.0.0.2"}], headers=headers, timeout=10)
    assert first.status_code == 200
    assert second.status_code == 429
