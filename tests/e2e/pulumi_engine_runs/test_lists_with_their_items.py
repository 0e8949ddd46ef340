"""A RulesList and the ListItems on its list, through the real engine: they go together without a write to a list
being deleted, and a RulesList that gives its own items can't share its list with a ListItems."""

from __future__ import annotations

import itertools
from typing import Callable

import pulumi
import pytest
from pulumi import automation as auto

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import ListItems, RulesList
from tests.e2e.pulumi_engine import ACCOUNT, RecordingApp
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, diagnostics, resource_changes

_names = itertools.count()


def shared_list(name: str) -> Callable[[], None]:
    def program() -> None:
        blocklist = RulesList("blocklist", account_id=ACCOUNT, name=name, kind="ip")
        ListItems("security-team", account_id=ACCOUNT, list_id=blocklist.list_id, items=["192.0.2.1", "192.0.2.2"])
        ListItems("scanner-feed", account_id=ACCOUNT, list_id=blocklist.list_id, items=["203.0.113.10"])
        pulumi.export("list_id", blocklist.list_id)

    return program


def test_a_renamed_list_takes_its_items_along_with_no_write_to_the_old_list(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    old, new = f"engine_rename_{next(_names)}", f"engine_renamed_{next(_names)}"
    stack = engine.stack(shared_list(old), credentials)
    old_id = stack.up().outputs["list_id"].value
    mark = recorder.mark

    result = stack.up(program=shared_list(new))

    assert resource_changes(result) == {"replace": 3, "same": 1}
    new_id = result.outputs["list_id"].value
    written_to = sorted({w.path.split("/")[-2] for w in recorder.writes(mark)})
    assert written_to == [new_id]  # the items' writes, all to the new list; nothing to the old one
    assert [r.method for r in recorder.since(mark) if old_id in r.path and r.method != "GET"] == ["DELETE"]
    assert old not in emulator.lists(ACCOUNT)
    assert len(emulator.lists(ACCOUNT)[new]["items"]) == 3


def test_destroy_deletes_the_list_without_first_removing_its_items(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    name = f"engine_destroy_{next(_names)}"
    stack = engine.stack(shared_list(name), credentials)
    list_id = stack.up().outputs["list_id"].value
    mark = recorder.mark

    assert resource_changes(stack.destroy()) == {"delete": 4}

    assert recorder.writes(mark) == []  # no item removed one by one: the list goes, and its items with it
    assert [(r.method, r.path.rpartition("/")[2]) for r in recorder.since(mark) if r.method != "GET"] == [
        ("DELETE", list_id)
    ]
    assert name not in emulator.lists(ACCOUNT)


def test_a_list_that_gives_its_own_items_is_refused_a_list_items_before_any_write(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    name = f"engine_conflict_{next(_names)}"

    def program() -> None:
        blocklist = RulesList("blocklist", account_id=ACCOUNT, name=name, kind="ip", items=["192.0.2.1"])
        ListItems("scanner-feed", account_id=ACCOUNT, list_id=blocklist.list_id, items=["203.0.113.10"])

    stack = engine.stack(program, credentials)
    mark = recorder.mark

    with pytest.raises(auto.CommandError) as failed:
        stack.up()

    shown = diagnostics(str(failed.value))
    assert (
        "ListItems 'scanner-feed' adds items to the list of RulesList 'blocklist', which gives its own items" in shown
    )
    assert "Traceback" not in shown
    assert [r for r in recorder.since(mark) if r.method != "GET"] == []
    assert name not in emulator.lists(ACCOUNT)
