"""``cloudflare-lists sync``, ``items`` and ``lists`` as processes, against the emulator over 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.lists_api import append_items, call, create_list, wait_for

TOKEN = "e2e-sync-token-51c2aa"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.2)) as running:
        yield running


def run(emulator: Emulator, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(
        CLOUDFLARE_API_TOKEN=TOKEN,
        CLOUDFLARE_BASE_URL=emulator.base_url,
        CLOUDFLARE_ACCOUNT_ID=emulator.config.account_id,
    )
    result = subprocess.run(
        [COMMAND, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def sync(emulator: Emulator, tmp_path: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    items_file = tmp_path / "items.txt"
    items_file.write_text("\n".join(lines) + "\n")
    return run(emulator, "sync", "blocklist", "--file", str(items_file), *extra)


def stored_items(emulator: Emulator, list_id: str) -> list[dict]:
    """What the emulator holds, read as a user would, every page."""
    found: list[dict] = []
    cursor = ""
    while True:
        response = call(emulator, "GET", f"/{list_id}/items?per_page=500" + (f"&cursor={cursor}" if cursor else ""))
        response.raise_for_status()
        document = response.json()
        found += document["result"]
        cursor = (document.get("result_info") or {}).get("cursors", {}).get("after", "")
        if not cursor:
            return found


def list_id_of(emulator: Emulator, name: str) -> str:
    [found] = [facts for facts in call(emulator, "GET", "").json()["result"] if facts["name"] == name]
    return str(found["id"])


def test_sync_creates_the_list_then_a_second_run_changes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    lines = ["# office", "192.0.2.1", "", "198.51.100.0/24  # partner"]
    first = sync(emulator, tmp_path, lines, "--kind", "ip")
    assert first.returncode == 0, first.stderr
    outcome = json.loads(first.stdout)
    assert outcome["changed"] is True
    assert outcome["operation"]["status"] == "completed"
    assert outcome["plan"]["add"] == [{"ip": "192.0.2.1"}, {"ip": "198.51.100.0/24"}]
    writes_before = len(emulator.operations)

    second = sync(emulator, tmp_path, lines)
    assert second.returncode == 0, second.stderr
    document = json.loads(second.stdout)
    assert {key: value for key, value in document.items() if key != "list"} == {
        "changed": False,
        "dry_run": False,
        "created": False,
        "counts": {"before": 2, "after": 2, "add": 0, "update": 0, "remove": 0},
        "plan": {"add": [], "update": [], "change": [], "remove": [], "writes": []},
        "writes": [],
        "items_written": 0,
        "bulk_operation": None,
        "operation": None,
        "error": None,
    }
    assert (document["list"]["name"], document["list"]["num_items"]) == ("blocklist", 2)
    assert len(emulator.operations) == writes_before  # no bulk operation at all
    assert {item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))} == {
        "192.0.2.1",
        "198.51.100.0/24",
    }


def test_non_canonical_input_converges_and_then_stays_unchanged(emulator: Emulator, tmp_path: Path) -> None:
    lines = ["10.0.0.1/32", "2001:DB8::0001", "192.168.1.5/24", "::1/128"]
    assert sync(emulator, tmp_path, lines, "--kind", "ip").returncode == 0
    for _rerun in range(2):
        again = sync(emulator, tmp_path, lines)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["changed"] is False
    items = run(emulator, "items", "blocklist")
    assert json.loads(items.stdout) == [
        {"ip": "10.0.0.1"},
        {"ip": "192.168.1.0/24"},
        {"ip": "::1"},
        {"ip": "2001:db8::1"},
    ]


def test_an_edit_is_exactly_that_change_and_the_dry_run_names_the_writes_sent(
    emulator: Emulator, tmp_path: Path
) -> None:
    assert sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2"], "--kind", "ip").returncode == 0
    writes_before = len(emulator.operations)
    dry = sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.3"], "--dry-run")
    assert json.loads(dry.stdout)["plan"] == {
        "add": [{"ip": "10.0.0.3"}],
        "update": [],
        "change": [],
        "remove": [{"ip": "10.0.0.2"}],
        "writes": [{"method": "POST", "items": 1}, {"method": "DELETE", "items": 1}],
    }
    assert len(emulator.operations) == writes_before  # the dry run wrote nothing

    real = sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.3"])
    assert json.loads(real.stdout)["plan"] == json.loads(dry.stdout)["plan"]
    assert [write["method"] for write in json.loads(real.stdout)["writes"]] == ["POST", "DELETE"]
    assert len(emulator.operations) == writes_before + 2


def test_keep_others_adds_without_removing(emulator: Emulator, tmp_path: Path) -> None:
    assert sync(emulator, tmp_path, ["10.0.0.1"], "--kind", "ip").returncode == 0
    kept = sync(emulator, tmp_path, ["10.0.0.2"], "--keep-others")
    assert json.loads(kept.stdout)["plan"] == {
        "add": [{"ip": "10.0.0.2"}],
        "update": [],
        "change": [],
        "remove": [],
        "writes": [{"method": "POST", "items": 1}],
    }
    assert json.loads(run(emulator, "items", "blocklist").stdout) == [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]


def test_1200_items_are_written_once_and_read_back_across_pages(emulator: Emulator) -> None:
    addresses = [f"10.{index // 250}.{index % 250}.1" for index in range(1200)]
    first = run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="\n".join(addresses))
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["plan"]["add"]) == 1200
    listed = json.loads(run(emulator, "items", "blocklist").stdout)
    assert sorted(item["ip"] for item in listed) == sorted(addresses)
    again = run(emulator, "sync", "blocklist", "--file", "-", stdin="\n".join(reversed(addresses)))
    assert json.loads(again.stdout)["changed"] is False


def test_a_json_file_carries_comments_and_a_comment_change_is_an_update(emulator: Emulator, tmp_path: Path) -> None:
    items_file = tmp_path / "items.json"
    items_file.write_text(json.dumps([{"ip": "192.0.2.1", "comment": "office"}]))
    assert run(emulator, "sync", "blocklist", "--kind", "ip", "--file", str(items_file)).returncode == 0
    items_file.write_text(json.dumps([{"ip": "192.0.2.1", "comment": "head office"}]))
    changed = json.loads(run(emulator, "sync", "blocklist", "--file", str(items_file)).stdout)
    assert changed["plan"]["update"] == [{"ip": "192.0.2.1", "comment": "head office"}]
    assert json.loads(run(emulator, "items", "blocklist").stdout) == [{"comment": "head office", "ip": "192.0.2.1"}]


def test_a_write_while_the_account_is_busy_waits_and_then_succeeds(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, pending_seconds=1.5, running_seconds=0.5)
    with Emulator(config) as emulator:
        other = create_list(emulator, "other_list")
        append_items(emulator, other, [{"ip": "203.0.113.1"}])  # holds the account for about 2 s
        result = sync(emulator, tmp_path, ["10.0.0.1"], "--kind", "ip")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["operation"]["status"] == "completed"
        assert emulator.throttled_counts["operation_pending"] >= 1  # it did meet the busy account, and waited
        assert [item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))] == ["10.0.0.1"]


def test_a_failed_operation_exits_1_with_cloudflares_text_and_loses_nothing(tmp_path: Path) -> None:
    with Emulator(
        EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1, max_items_per_account=2)
    ) as emulator:
        assert sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2"], "--kind", "ip").returncode == 0
        failed = sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        assert failed.returncode == 1
        assert "This list is at the maximum number of items" in failed.stderr
        document = json.loads(failed.stdout)
        assert document["bulk_operation"]["status"] == "failed"
        assert (document["changed"], document["error"]["type"]) == (None, "OperationFailedError")
        assert sorted(item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))) == [
            "10.0.0.1",
            "10.0.0.2",
        ]


def test_bad_items_exit_2_naming_the_line_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    before = emulator.request_count
    result = sync(emulator, tmp_path, ["10.0.0.1", "# fine", "10.0.0.300"], "--kind", "ip")
    assert result.returncode == 2
    assert "--file line 3" in result.stderr
    assert emulator.request_count == before


def test_lists_prints_the_accounts_lists(emulator: Emulator) -> None:
    create_list(emulator, "first_list")
    listed = json.loads(run(emulator, "lists").stdout)
    assert [(facts["name"], facts["kind"], facts["num_items"]) for facts in listed] == [("first_list", "ip", 0)]


def test_concurrent_syncs_to_one_account_queue_on_the_host_and_never_meet_a_429(tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.2, running_seconds=0.2)) as emulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
        env.update(
            CLOUDFLARE_API_TOKEN=TOKEN,
            CLOUDFLARE_BASE_URL=emulator.base_url,
            CLOUDFLARE_ACCOUNT_ID=emulator.config.account_id,
        )
        running = [
            subprocess.Popen(
                [COMMAND, "sync", f"team_{index}", "--kind", "ip", "--file", "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for index in range(6)
        ]
        outputs = [
            process.communicate(f"10.0.{index}.1\n10.0.{index}.2\n", timeout=120)
            for index, process in enumerate(running)
        ]
        assert [process.returncode for process in running] == [0] * 6, [err for _out, err in outputs]
        assert all(json.loads(out)["operation"]["status"] == "completed" for out, _err in outputs)
        assert emulator.throttled_counts["operation_pending"] == 0
        assert emulator.throttled_counts["rate_limit"] == 0


def write_in_account(emulator: Emulator, account_id: str, ip: str) -> str:
    """A list and one item in ``account_id``; the operation's id."""
    base = f"{emulator.base_url}/accounts/{account_id}/rules/lists"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    list_id = requests.post(base, json={"name": "fleet", "kind": "ip"}, headers=headers, timeout=10).json()["result"][
        "id"
    ]
    answer = requests.post(f"{base}/{list_id}/items", json=[{"ip": ip}], headers=headers, timeout=10)
    return str(answer.json()["result"]["operation_id"])


def test_one_wait_process_follows_many_operations_in_many_accounts_and_reports_each(tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.5, running_seconds=1.0)) as emulator:
        pairs = [
            f"{index:032x}:" + write_in_account(emulator, f"{index:032x}", f"10.1.0.{index}") for index in range(1, 41)
        ]
        (tmp_path / "operations.txt").write_text("# one a line\n" + "\n".join(pairs) + "\n")
        requests_before = emulator.request_count
        result = run(emulator, "wait", "--from", str(tmp_path / "operations.txt"), "--timeout", "60")
        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert sorted(f"{line['account_id']}:{line['operation_id']}" for line in lines) == sorted(pairs)
        assert {line["outcome"] for line in lines} == {"completed"}
        assert emulator.throttled_counts == {"rate_limit": 0, "operation_pending": 0, "write_quota": 0, "fault": 0}
        checks = emulator.request_count - requests_before
        assert checks == sum(line["checks"] for line in lines)


def test_a_batch_wait_exits_with_its_worst_outcome(emulator: Emulator, tmp_path: Path) -> None:
    good = write_in_account(emulator, emulator.config.account_id, "10.2.0.1")
    result = run(emulator, "wait", f"{emulator.config.account_id}:{good}", f"{emulator.config.account_id}:0bad0")
    assert result.returncode == 4
    outcomes = {json.loads(line)["operation_id"]: json.loads(line) for line in result.stdout.splitlines()}
    assert outcomes[good]["outcome"] == "completed"
    assert outcomes["0bad0"]["outcome"] == "error"
    assert "ACCOUNT_ID and OPERATION_ID" in outcomes["0bad0"]["message"]


# --- the plan in words: server and user text never drives the terminal -----------------------------------------

TERMINAL_CONTROLS = {
    "osc-title": "\x1b]0;pwned\x07",
    "screen-clear": "\x1b[2J\x1b[H",
    "sgr": "\x1b[31;1m",
    "right-to-left-override": "\u202e",
    "c1-csi": "\x9b",
    "forged-line": "\r\ncloudflare-lists: error: forged",
}


def test_the_plan_in_words_neutralizes_comments_from_the_server_and_the_file(
    emulator: Emulator, tmp_path: Path
) -> None:
    list_id = create_list(emulator, "blocklist")
    wait_for(
        emulator,
        append_items(
            emulator, list_id, [{"ip": "10.0.0.9", "comment": "server " + "".join(TERMINAL_CONTROLS.values())}]
        ),
    )
    items = tmp_path / "items.json"
    items.write_text(json.dumps([{"ip": "10.0.0.1", "comment": "file " + "".join(TERMINAL_CONTROLS.values())}]))
    result = run(emulator, "sync", "blocklist", "--file", str(items), "--progress", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "  + 10.0.0.1  (file " in result.stderr and "  - 10.0.0.9  (server " in result.stderr
    for name, control in TERMINAL_CONTROLS.items():
        assert control not in result.stderr, name
    assert "\\x1b]0;pwned\\x07" in result.stderr and "\\u202e" in result.stderr
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("cloudflare-lists: error")]
