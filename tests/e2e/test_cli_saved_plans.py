"""``sync --plan-out FILE`` then ``apply FILE``: exactly the plan reviewed is written, or nothing when the list
changed in between; as processes, against the emulator over 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    wait_for,
)

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import TOKEN, list_id_of, run, stored_items


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1)) as running:
        yield running


def plan(emulator: Emulator, plan_file: Path, feed: str, *extra: str) -> dict:
    result = run(emulator, "sync", "blocklist", "--file", "-", "--plan-out", str(plan_file), *extra, stdin=feed)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["dry_run"] is True
    return document


def test_a_saved_plan_is_applied_exactly_and_holds_no_credential(emulator: Emulator, tmp_path: Path) -> None:
    assert (
        run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="10.0.0.1\n10.0.0.2\n").returncode == 0
    )
    kept_id = {item["ip"]: item["id"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))}["10.0.0.1"]
    writes_before = len(emulator.operations)
    plan_file = tmp_path / "blocklist.plan.json"
    planned = plan(emulator, plan_file, "10.0.0.1\n10.0.0.3 # new\n", "--comments-from-file")
    assert len(emulator.operations) == writes_before  # planning wrote nothing
    saved = plan_file.read_text()
    assert TOKEN not in saved and emulator.base_url not in saved
    assert json.loads(saved)["plan"]["writes"] == [{"method": "POST", "items": 1}, {"method": "DELETE", "items": 1}]

    applied = run(emulator, "apply", str(plan_file))
    assert applied.returncode == 0, applied.stderr
    document = json.loads(applied.stdout)
    assert (document["changed"], document["dry_run"]) == (True, False)
    assert {key: document["plan"][key] for key in ("add", "remove", "writes")} == {
        key: planned["plan"][key] for key in ("add", "remove", "writes")
    }
    stored = {item["ip"]: item for item in stored_items(emulator, list_id_of(emulator, "blocklist"))}
    assert sorted(stored) == ["10.0.0.1", "10.0.0.3"]
    assert stored["10.0.0.3"]["comment"] == "new"
    assert stored["10.0.0.1"]["id"] == kept_id  # an item the plan left alone was not rewritten

    again = run(emulator, "apply", str(plan_file))
    assert again.returncode == 2
    assert "changed since the plan was made" in again.stderr


def test_a_plan_is_refused_after_an_out_of_band_change_and_nothing_is_written(
    emulator: Emulator, tmp_path: Path
) -> None:
    assert run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="10.0.0.1\n").returncode == 0
    plan_file = tmp_path / "plan.json"
    plan(emulator, plan_file, "10.0.0.1\n10.0.0.2\n")
    # The other writer's item is in the list (its operation finished) before the plan is applied.
    wait_for(
        emulator,
        append_items(emulator, list_id_of(emulator, "blocklist"), [{"ip": "198.51.100.9", "comment": "dashboard"}]),
    )
    writes_before = len(emulator.operations)

    for extra in (["--dry-run"], []):
        refused = run(emulator, "apply", str(plan_file), *extra)
        assert refused.returncode == 2
        document = json.loads(refused.stdout)
        assert document["error"]["type"] == "GuardError"
        assert "list 'blocklist'" in document["error"]["message"] and "nothing was written" in refused.stderr
    assert len(emulator.operations) == writes_before
    assert sorted(item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))) == [
        "10.0.0.1",
        "198.51.100.9",
    ]


def test_an_item_removed_and_added_again_meanwhile_is_a_change(emulator: Emulator, tmp_path: Path) -> None:
    """The same values with new ids: the plan's removal by id would miss them, so the plan is refused."""
    assert (
        run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="10.0.0.1\n10.0.0.2\n").returncode == 0
    )
    plan_file = tmp_path / "plan.json"
    plan(emulator, plan_file, "10.0.0.1\n")
    list_id = list_id_of(emulator, "blocklist")
    assert run(emulator, "sync", "blocklist", "--file", "-", "--allow-empty", stdin="").returncode == 0
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]))

    refused = run(emulator, "apply", str(plan_file))
    assert refused.returncode == 2
    assert "changed since the plan was made" in refused.stderr


def test_a_plan_that_creates_the_list_creates_it_unless_one_was_made_meanwhile(
    emulator: Emulator, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    planned = plan(emulator, plan_file, "10.0.0.1\n", "--kind", "ip")
    assert (planned["created"], planned["list"]["id"]) == (True, None)
    assert emulator.lists() == {}
    applied = run(emulator, "apply", str(plan_file), "--detailed-exitcode")
    assert applied.returncode == 6, applied.stderr
    assert json.loads(applied.stdout)["created"] is True
    assert [item["ip"] for item in emulator.lists()["blocklist"]["items"]] == ["10.0.0.1"]

    second = tmp_path / "second.json"
    plan(emulator, second, "10.0.0.1\n", "--kind", "ip")  # for the list of that name...
    call(emulator, "DELETE", f"/{list_id_of(emulator, 'blocklist')}")
    create_list(emulator, "blocklist")  # ...deleted and made again: another list
    refused = run(emulator, "apply", str(second))
    assert refused.returncode == 4  # its id names no list any more
    assert emulator.lists()["blocklist"]["items"] == []


def test_a_plan_to_create_a_list_is_refused_when_one_of_that_name_was_made_meanwhile(
    emulator: Emulator, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    plan(emulator, plan_file, "10.0.0.1\n", "--kind", "ip")
    create_list(emulator, "blocklist")
    refused = run(emulator, "apply", str(plan_file))
    assert refused.returncode == 2
    assert "a list of that name" in refused.stderr and "was made since" in refused.stderr
    assert emulator.lists()["blocklist"]["items"] == []


def test_a_file_that_is_not_a_plan_is_refused_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "feed.txt").write_text("10.0.0.1\n")
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    before = emulator.request_count
    for name, problem in (("feed.txt", "is not JSON"), ("other.json", "not a saved plan"), ("none.json", "could not")):
        refused = run(emulator, "apply", str(tmp_path / name))
        assert refused.returncode == 2
        assert problem in refused.stderr
        assert json.loads(refused.stdout)["error"]["type"] == "ValidationError"
    assert emulator.request_count == before
