"""The feeds example, run by ansible-playbook as a user would, against the emulator over HTTP: the feed_items filter
reads a DROP-style file and a hostnames file, and bulk_operation_info waits on what the two rules_list tasks wrote.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.ansible_environment import playbook_environment

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "examples" / "ansible" / "feeds.yml"
TOKEN = "e2e-token-" + secrets.token_hex(16)
# Shaped like Spamhaus DROP as served: a byte order mark here, a ';' header, CRLF line ends.
DROP = (
    "\ufeff; Spamhaus DROP List 2024/05/01 - (c) 2024 The Spamhaus Project SLU\r\n"
    "; Last-Modified: Wed, 01 May 2024 10:07:42 GMT\r\n"
    "1.10.16.0/20 ; SBL256894\r\n"
    "1.19.0.0/16 ; SBL434604\r\n"
    "2.56.192.0/22\r\n"
)
HOSTNAMES = "# phishing, reported this week\nlogin-example.test  # ticket 4711\n*.paypa1.test\n"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.2, running_seconds=0.3)) as running:
        yield running


def run_playbook(emulator: Emulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = playbook_environment(
        emulator,
        TOKEN,
        ACCOUNT_ID,
        tmp_path,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    feeds = {"drop_file": str(tmp_path / "drop.txt"), "hostnames_file": str(tmp_path / "hostnames.txt")}
    return subprocess.run(
        ["ansible-playbook", str(PLAYBOOK), "-e", json.dumps(feeds), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def recap(output: str) -> tuple[int, int]:
    ((ok, changed),) = re.findall(r"^localhost\s+: ok=(\d+)\s+changed=(\d+)", output, re.MULTILINE)
    return int(ok), int(changed)


def test_feeds_become_lists_with_their_comments_then_a_rerun_changes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "drop.txt").write_bytes(DROP.encode("utf-8"))
    (tmp_path / "hostnames.txt").write_text(HOSTNAMES)

    first = run_playbook(emulator, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)[1] == 2
    assert "spamhaus_drop: added 3, changed 0, removed 0" in first.stdout
    stored = emulator.lists(ACCOUNT_ID)
    assert sorted((item["ip"], item.get("comment")) for item in stored["spamhaus_drop"]["items"]) == [
        ("1.10.16.0/20", "SBL256894"),
        ("1.19.0.0/16", "SBL434604"),
        ("2.56.192.0/22", None),
    ]
    hosts = {item["hostname"]["url_hostname"]: item.get("comment") for item in stored["phishing_hostnames"]["items"]}
    assert hosts == {"login-example.test": "ticket 4711", "*.paypa1.test": None}
    # Both writes were waited on by the one bulk_operation_info task, and both completed.
    assert [operation["status"] for operation in emulator.operations] == ["completed", "completed"]

    second = run_playbook(emulator, tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)[1] == 0
    assert len(emulator.operations) == 2
    assert TOKEN not in first.stdout + first.stderr + second.stdout + second.stderr


def test_check_mode_on_a_first_run_predicts_the_lists_then_the_real_run_and_a_rerun_agree(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "drop.txt").write_bytes(DROP.encode("utf-8"))
    (tmp_path / "hostnames.txt").write_text(HOSTNAMES)

    checked = run_playbook(emulator, tmp_path, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert recap(checked.stdout)[1] == 2
    assert "spamhaus_drop (check mode, nothing written): added 3, changed 0, removed 0" in checked.stdout
    assert "phishing_hostnames (check mode, nothing written): added 2, changed 0, removed 0" in checked.stdout
    assert emulator.lists(ACCOUNT_ID) == {} and emulator.operations == []

    first = run_playbook(emulator, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)[1] == recap(checked.stdout)[1]
    assert "spamhaus_drop: added 3, changed 0, removed 0" in first.stdout
    assert "phishing_hostnames: added 2, changed 0, removed 0" in first.stdout
    stored = emulator.lists(ACCOUNT_ID)
    assert {name: len(stored[name]["items"]) for name in stored} == {"spamhaus_drop": 3, "phishing_hostnames": 2}

    again = run_playbook(emulator, tmp_path, "--check", "--diff")
    assert again.returncode == 0, again.stdout + again.stderr
    assert recap(again.stdout)[1] == 0
    assert "spamhaus_drop (check mode, nothing written): added 0, changed 0, removed 0" in again.stdout
    rerun = run_playbook(emulator, tmp_path)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert recap(rerun.stdout)[1] == 0
    assert len(emulator.operations) == 2


def test_a_feed_item_not_of_the_lists_kind_fails_the_task_naming_its_line_and_writes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "drop.txt").write_text("# a feed\n; its header\n\n1.2.3.4\nnot-an-ip ; x\n10.0.0.0/7\n")
    (tmp_path / "hostnames.txt").write_text(HOSTNAMES)

    result = run_playbook(emulator, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "its input has 2 bad lines: line 5: 'not-an-ip' is not an IP address or CIDR range; line 6:" in result.stdout
    assert "items[" not in result.stdout
    assert emulator.lists(ACCOUNT_ID) == {} and emulator.operations == []


def test_a_bad_feed_fails_the_task_naming_every_bad_line_and_writes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "drop.txt").write_text("1.10.16.0/20 ; SBL256894\n1.19.0.0/16 SBL434604\n# a\u2028 2.56.192.0/22\n")
    (tmp_path / "hostnames.txt").write_text(HOSTNAMES)

    result = run_playbook(emulator, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "its input has 2 bad lines: line 2 holds more than one value" in result.stdout
    assert "line 3 holds U+2028" in result.stdout
    assert emulator.operations == []
