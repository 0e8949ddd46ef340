"""The blocklist example, run by examples/ansible/run_blocklist.sh as a user would, against the emulator over HTTP:
a first run changes the list, a second changes nothing, and --check --diff of an edit shows exactly that edit.

ansible-playbook runs as a separate process and finds the collection through the editable install on sys.path.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
from pathlib import Path
from typing import Iterator, List

import pytest

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.ansible_environment import playbook_environment

REPO = Path(__file__).resolve().parents[2]
RUN_BLOCKLIST = REPO / "examples" / "ansible" / "run_blocklist.sh"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "e2e-token-" + secrets.token_hex(16)
EDITED = [{"ip": "192.0.2.1", "comment": "credential stuffing, ticket 4711"}, "198.51.100.0/24", "203.0.113.7"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.2, running_seconds=0.3)) as running:
        yield running


def run_blocklist(emulator: Emulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = playbook_environment(emulator, TOKEN, ACCOUNT_ID, tmp_path)
    return subprocess.run(
        ["bash", str(RUN_BLOCKLIST), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def recap_changed(output: str) -> int:
    (changed,) = re.findall(r"^localhost\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE)
    return int(changed)


def diff_lines(output: str) -> List[str]:
    """The changed lines (+/-) of the diffs ansible-playbook printed, without the ---/+++ headers."""
    return [line for line in output.splitlines() if re.match(r"^[-+](?![-+]{2})", line)]


def stored_addresses(emulator: Emulator) -> List[str]:
    return [item["ip"] for item in emulator.lists(ACCOUNT_ID)["edgeops_blocklist"]["items"]]


def test_blocklist_changes_then_stays_unchanged_then_previews_exactly_an_edit(emulator: Emulator, tmp_path: Path):
    first = run_blocklist(emulator, tmp_path)
    second = run_blocklist(emulator, tmp_path)
    preview = run_blocklist(emulator, tmp_path, "--check", "--diff", "-e", json.dumps({"blocklist_items": EDITED}))

    for run in (first, second, preview):
        assert run.returncode == 0, run.stdout + run.stderr
    assert recap_changed(first.stdout) == 1
    assert "added 3, updated 0, removed 0" in first.stdout
    assert "edgeops_blocklist: would add 1, update 0, remove 1" in preview.stdout
    assert recap_changed(second.stdout) == 0
    assert recap_changed(preview.stdout) == 1
    assert diff_lines(preview.stdout) == ['-            "ip": "2001:db8::/48"', '+            "ip": "203.0.113.7"']
    assert sorted(stored_addresses(emulator)) == ["192.0.2.1", "198.51.100.0/24", "2001:db8::/48"]
    assert TOKEN not in first.stdout + second.stdout + preview.stdout
