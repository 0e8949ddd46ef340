"""``sync --plan-out FILE`` then ``apply FILE``: exactly the plan reviewed is written, or nothing when the list
or the file changed in between; as processes, against the emulator over 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import digest
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


def test_a_plan_whose_items_hold_a_credential_is_never_saved(emulator: Emulator, tmp_path: Path) -> None:
    assert run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="10.0.0.1\n").returncode == 0
    list_id = list_id_of(emulator, "blocklist")
    # Another writer's item whose comment echoes the token: the plan would remove it, and so quote it.
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "10.0.0.9", "comment": f"seen with {TOKEN}"}]))
    plan_file = tmp_path / "plan.json"

    refused = run(emulator, "sync", "blocklist", "--file", "-", "--plan-out", str(plan_file), stdin="10.0.0.1\n")

    assert refused.returncode == 2
    assert "the plan holds a credential" in refused.stderr and "nothing was saved" in refused.stderr
    assert not plan_file.exists()
    assert TOKEN not in refused.stdout + refused.stderr


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
        message = document["error"]["message"]
        assert message.startswith("The list 'blocklist' (") and "changed since the plan was made" in message
        assert "Invalid" not in message and "nothing was written" in refused.stderr
        assert "Make the plan again (sync with --plan-out)" in refused.stderr
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


def saved_no_change_and_one_addition(emulator: Emulator, tmp_path: Path) -> tuple[Path, Path]:
    """Two saved plans for a list holding 192.0.2.1 and 192.0.2.2: one of no change, one adding 203.0.113.7."""
    assert (
        run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="192.0.2.1\n192.0.2.2\n").returncode
        == 0
    )
    unchanged, addition = tmp_path / "unchanged.plan", tmp_path / "addition.plan"
    assert plan(emulator, unchanged, "192.0.2.1\n192.0.2.2\n")["changed"] is False
    assert plan(emulator, addition, "192.0.2.1\n192.0.2.2\n203.0.113.7\n")["counts"]["add"] == 1
    return unchanged, addition


def edit(plan_file: Path, change, *, digest_again: bool = False) -> Path:
    document = json.loads(plan_file.read_text())
    change(document)
    if digest_again:
        document["digest"] = digest(document)
    edited = plan_file.with_name("edited-" + plan_file.name)
    edited.write_text(json.dumps(document))
    return edited


def swap_an_item(document: dict) -> None:
    document["items"][0] = {"ip": "192.0.2.99"}


def add_an_item(document: dict) -> None:
    document["items"].append({"ip": "203.0.113.66"})


def add_to_the_plan(document: dict) -> None:
    document["plan"]["add"].append({"ip": "203.0.113.66"})
    document["plan"]["writes"] = [{"method": "POST", "items": 2}]


def loosen_a_guard(document: dict) -> None:
    document["allow_empty"] = True


@pytest.mark.parametrize(
    ("which", "change"),
    [
        ("unchanged", swap_an_item),
        ("addition", add_an_item),
        ("addition", add_to_the_plan),
        ("addition", loosen_a_guard),
    ],
    ids=["an item swapped in a plan of no change", "an item added", "the plan's additions", "a guard"],
)
def test_a_plan_file_changed_after_it_was_made_is_refused_before_any_request(
    emulator: Emulator, tmp_path: Path, which: str, change
) -> None:
    unchanged, addition = saved_no_change_and_one_addition(emulator, tmp_path)
    edited = edit(unchanged if which == "unchanged" else addition, change)
    before = emulator.request_count
    for extra in ([], ["--detailed-exitcode"], ["--dry-run"]):
        refused = run(emulator, "apply", str(edited), *extra)
        assert refused.returncode == 2, refused.stderr
        document = json.loads(refused.stdout)
        assert (document["error"]["type"], document["changed"]) == ("ValidationError", None)
        assert f"Invalid PLANFILE: {str(edited)!r} was changed after it was made" in refused.stderr
        assert "nothing was sent. Make the plan again (sync with --plan-out)" in refused.stderr
    assert emulator.request_count == before
    assert sorted(item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))) == [
        "192.0.2.1",
        "192.0.2.2",
    ]


@pytest.mark.parametrize(
    ("which", "change"),
    [("unchanged", swap_an_item), ("addition", add_an_item), ("addition", add_to_the_plan)],
    ids=["an item swapped in a plan of no change", "an item added", "the plan's additions"],
)
def test_a_plan_edited_with_its_digest_made_again_is_refused_before_any_write(
    emulator: Emulator, tmp_path: Path, which: str, change
) -> None:
    """The digest is no signature: what guarantees the write is the plan made again from the list as read."""
    unchanged, addition = saved_no_change_and_one_addition(emulator, tmp_path)
    edited = edit(unchanged if which == "unchanged" else addition, change, digest_again=True)
    writes_before = len(emulator.operations)
    refused = run(emulator, "apply", str(edited), "--detailed-exitcode")
    assert refused.returncode == 2, refused.stderr
    assert json.loads(refused.stdout)["error"]["type"] == "GuardError"
    assert "Invalid PLANFILE: its plan is not the plan its items give for the list 'blocklist'" in refused.stderr
    assert "the file was changed after it was made; nothing was written" in refused.stderr
    assert len(emulator.operations) == writes_before
    assert sorted(item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))) == [
        "192.0.2.1",
        "192.0.2.2",
    ]


def test_an_untouched_plan_applies_exactly_whatever_its_layout(emulator: Emulator, tmp_path: Path) -> None:
    unchanged, addition = saved_no_change_and_one_addition(emulator, tmp_path)
    relaid = edit(addition, lambda document: None)  # the same content, another layout (jq . writes one too)
    relaid.write_text(json.dumps(dict(reversed(list(json.loads(relaid.read_text()).items()))), indent=4))

    applied = run(emulator, "apply", str(relaid), "--detailed-exitcode")
    assert applied.returncode == 6, applied.stderr
    document = json.loads(applied.stdout)
    assert (document["counts"]["add"], document["counts"]["remove"], document["counts"]["update"]) == (1, 0, 0)
    assert document["plan"]["add"] == [{"ip": "203.0.113.7"}]
    assert sorted(item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))) == [
        "192.0.2.1",
        "192.0.2.2",
        "203.0.113.7",
    ]
    # The plan of no change, made before that write, now meets another list.
    stale = run(emulator, "apply", str(unchanged))
    assert stale.returncode == 2
    assert "The list 'blocklist' (" in stale.stderr and "changed since the plan was made" in stale.stderr


def test_a_plan_of_the_version_before_digests_is_refused_saying_to_make_it_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    _, addition = saved_no_change_and_one_addition(emulator, tmp_path)
    older = edit(addition, lambda document: [document.pop("digest"), document.update(version=1)])
    before = emulator.request_count
    refused = run(emulator, "apply", str(older))
    assert refused.returncode == 2
    assert f"{str(older)!r} is a saved plan of version 1, which this version does not apply" in refused.stderr
    assert "Make the plan again (sync with --plan-out)" in refused.stderr
    assert emulator.request_count == before


def test_a_plan_to_create_the_list_edited_with_its_digest_made_again_creates_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    plan(emulator, plan_file, "10.0.0.1\n", "--kind", "ip")
    edited = edit(plan_file, add_an_item, digest_again=True)
    refused = run(emulator, "apply", str(edited))
    assert refused.returncode == 2
    assert "its plan is not the plan its items give for the list 'blocklist'" in refused.stderr
    assert (emulator.lists(), len(emulator.operations)) == ({}, 0)  # no list created, no write
