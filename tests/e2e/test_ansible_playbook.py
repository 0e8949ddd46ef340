"""The example playbook, run by examples/ansible/run_demo.sh as a user would, against the emulator over real HTTP.

ansible-playbook runs as a separate process; it finds the collection through the editable install on sys.path
(COLLECTIONS_SCAN_SYS_PATH), and nothing else: the collections path points at an empty directory.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.ansible_environment import playbook_environment

REPO = Path(__file__).resolve().parents[2]
RUN_DEMO = REPO / "examples" / "ansible" / "run_demo.sh"
# A fresh value per run: finding it in any output can only mean a leak.
TOKEN = "e2e-token-" + secrets.token_hex(16)
INVALID_CIDR = "10.0.0.0/7"


@pytest.fixture
def quick_emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.3, running_seconds=0.5)) as emulator:
        yield emulator


@pytest.fixture
def slow_emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=60, running_seconds=60)) as emulator:
        yield emulator


def run_playbook(emulator: Emulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """examples/ansible/run_demo.sh against ``emulator``, with a clean Ansible and Cloudflare environment."""
    env = playbook_environment(
        emulator,
        TOKEN,
        ACCOUNT_ID,
        tmp_path,
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_CALLBACK_FORMAT_PRETTY="false",
    )
    return subprocess.run(
        ["bash", str(RUN_DEMO), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def task_results(output: str, marker: str) -> List[Dict[str, Any]]:
    """The one-line JSON results the default callback printed after ``marker`` (e.g. "FAILED! => ")."""
    return [json.loads(match) for match in re.findall(re.escape(marker) + r"(\{.*\})\s*$", output, re.MULTILINE)]


def items_json(*addresses: str) -> str:
    return json.dumps({"cloudflare_list_items": [{"ip": address} for address in addresses]})


def test_playbook_appends_items_and_prints_the_completed_operation(quick_emulator: Emulator, tmp_path: Path) -> None:
    result = run_playbook(quick_emulator, tmp_path, "-e", items_json("192.0.2.10", "198.51.100.0/24"))

    assert result.returncode == 0, result.stdout + result.stderr
    (shown,) = task_results(result.stdout, "ok: [localhost] => ")
    facts = shown["operation.bulk_operation"]
    assert facts["status"] == "completed"
    assert (facts["finished"], facts["succeeded"], facts["error"]) == (True, True, None)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", facts["completed_at"])
    (operation,) = quick_emulator.operations
    assert (operation["id"], operation["status"]) == (facts["id"], "completed")
    addresses = {item["ip"] for item in quick_emulator.lists()["edgeops_example"]["items"]}
    assert addresses == {"192.0.2.10", "198.51.100.0/24"}


def test_playbook_reuses_the_list_it_created_on_a_second_run(quick_emulator: Emulator, tmp_path: Path) -> None:
    first = run_playbook(quick_emulator, tmp_path, "-e", items_json("192.0.2.11"))
    second = run_playbook(quick_emulator, tmp_path, "-e", items_json("192.0.2.12"))

    assert first.returncode == second.returncode == 0, second.stdout + second.stderr
    assert "TASK [Create the list edgeops_example]" in first.stdout
    assert "skipping: [localhost]" in second.stdout.split("TASK [Create the list edgeops_example]")[1].split("TASK")[0]
    assert list(quick_emulator.lists()) == ["edgeops_example"]
    assert {item["ip"] for item in quick_emulator.lists()["edgeops_example"]["items"]} == {"192.0.2.11", "192.0.2.12"}


def test_invalid_cidr_fails_the_task_with_cloudflare_error_and_the_facts(
    quick_emulator: Emulator, tmp_path: Path
) -> None:
    result = run_playbook(quick_emulator, tmp_path, "-e", items_json("192.0.2.20", INVALID_CIDR))

    assert result.returncode == 2, result.stdout + result.stderr
    (failure,) = task_results(result.stdout, "FAILED! => ")
    (operation,) = quick_emulator.operations
    cloudflare_error = operation["error"]
    assert INVALID_CIDR in cloudflare_error
    assert failure["msg"] == f"Bulk operation {operation['id']} failed: {cloudflare_error}"
    assert failure["error_type"] == "OperationFailedError"
    assert failure["changed"] is False
    assert failure["bulk_operation"]["status"] == "failed"
    assert failure["bulk_operation"]["error"] == cloudflare_error
    assert failure["checks"] >= 1
    assert "TASK [Show the facts about the operation]" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_slow_operation_fails_the_task_at_wait_timeout_with_the_last_facts(
    slow_emulator: Emulator, tmp_path: Path
) -> None:
    result = run_playbook(slow_emulator, tmp_path, "-e", "cloudflare_wait_timeout=1.5")

    assert result.returncode == 2, result.stdout + result.stderr
    (failure,) = task_results(result.stdout, "FAILED! => ")
    assert failure["error_type"] == "WaitTimeoutError"
    assert failure["bulk_operation"]["status"] == "pending"
    assert failure["bulk_operation"]["finished"] is False
    assert failure["timeout"] == 1.5
    assert 1.4 <= failure["elapsed"] < 10
    assert failure["msg"].startswith(f"Bulk operation {failure['bulk_operation']['id']} was still pending after ")
    assert "Traceback" not in result.stdout + result.stderr


CREATE_AND_FILL = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - edgeops.cloudflare_lists.rules_list:
        name: made_here
        kind: ip
        items: [192.0.2.40, 192.0.2.41]
        wait_timeout: 1.5
"""


def test_a_task_that_created_its_list_then_timed_out_reports_changed_and_the_list(
    slow_emulator: Emulator, tmp_path: Path
) -> None:
    playbook = tmp_path / "create_and_fill.yml"
    playbook.write_text(CREATE_AND_FILL)
    env = playbook_environment(
        slow_emulator,
        TOKEN,
        ACCOUNT_ID,
        tmp_path,
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_CALLBACK_FORMAT_PRETTY="false",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    result = subprocess.run(
        ["ansible-playbook", str(playbook)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 2, result.stdout + result.stderr
    (failure,) = task_results(result.stdout, "FAILED! => ")
    stored = slow_emulator.lists()["made_here"]
    (operation,) = slow_emulator.operations
    assert failure["error_type"] == "WaitTimeoutError"
    assert failure["changed"] is True  # the list was created, and is still there
    assert (failure["list"]["id"], failure["list"]["name"]) == (stored["id"], "made_here")
    assert failure["plan"]["add"] == [{"ip": "192.0.2.40"}, {"ip": "192.0.2.41"}]
    assert [(w["method"], w["items"], w["operation"]["id"]) for w in failure["writes"]] == [
        ("POST", 2, operation["id"])
    ]
    assert failure["items_written"] == 2
    assert f"The new list 'made_here' ({stored['id']}) is still there" in failure["msg"]
    assert TOKEN not in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "addresses, returncode",
    [(("192.0.2.30",), 0), (("192.0.2.31", INVALID_CIDR), 2)],
    ids=["completed", "failed"],
)
def test_most_verbose_output_never_contains_the_token(
    quick_emulator: Emulator, tmp_path: Path, addresses: tuple[str, ...], returncode: int
) -> None:
    result = run_playbook(quick_emulator, tmp_path, "-vvv", "-e", items_json(*addresses))

    assert result.returncode == returncode, result.stdout + result.stderr
    assert "bulk_operation_info" in result.stdout
    assert TOKEN not in result.stdout
    assert TOKEN not in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
