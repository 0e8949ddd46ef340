"""Detailed diffs name exactly the items a write changes, at the index where the engine finds each one."""

from __future__ import annotations

from typing import Any, Dict, List

from pulumi_provider.list_schema import LIST_ITEMS, RULES_LIST
from pulumi_provider.native.diffs import Change, detailed_diff, item_changes

ADD, DELETE, UPDATE = Change.ADD, Change.DELETE, Change.UPDATE


def rules_list(items: List[Any], **more: Any) -> Dict[str, Any]:
    inputs, failures = RULES_LIST.check({"account_id": "0" * 32, "name": "edge", "kind": "ip", "items": items, **more})
    assert failures == []
    return inputs


def test_the_same_items_written_another_way_are_no_change() -> None:
    olds = rules_list(["10.0.0.1", "2001:db8::1"])
    assert detailed_diff(RULES_LIST, olds, rules_list(["2001:DB8::1", "10.0.0.1/32"]), []) == {}


def test_an_added_item_is_named_at_its_index_in_the_new_items_and_a_removed_one_in_the_old() -> None:
    # 10.0.0.1 was at index 0 of the old items; 10.0.0.3 is at index 1 of the new ones.
    assert item_changes("ip", ["10.0.0.1", "10.0.0.2"], ["10.0.0.2", "10.0.0.3"]) == {
        "items[0]": DELETE,
        "items[1]": ADD,
    }
    assert item_changes("ip", ["10.0.0.1"], ["10.0.0.1", "10.0.0.9"]) == {"items[1]": ADD}
    assert item_changes("ip", ["10.0.0.1", "10.0.0.9"], ["10.0.0.1"]) == {"items[1]": DELETE}


def test_a_changed_comment_is_an_update_where_the_item_keeps_its_index_else_a_delete_and_an_add() -> None:
    commented = {"ip": "10.0.0.2", "comment": "why"}
    assert item_changes("ip", ["10.0.0.1", "10.0.0.2"], ["10.0.0.1", commented]) == {"items[1]": UPDATE}
    assert item_changes("ip", ["10.0.0.1", "10.0.0.2"], [commented, "10.0.0.1"]) == {
        "items[1]": DELETE,
        "items[0]": ADD,
    }


def test_a_removal_and_an_addition_at_one_index_are_one_update_there() -> None:
    assert item_changes("ip", ["10.0.0.1", "10.0.0.2"], ["10.0.0.1", "10.0.0.3"]) == {"items[1]": UPDATE}


def test_items_that_are_not_valid_for_the_kind_name_the_whole_property() -> None:
    olds = rules_list(["10.0.0.1"])
    news = {**olds, "items": ["not an address"]}
    assert item_changes("ip", olds["items"], news["items"]) is None
    assert detailed_diff(RULES_LIST, olds, news, []) == {"items": (UPDATE, False)}


def test_other_inputs_are_named_with_whether_they_replace() -> None:
    olds = rules_list(["10.0.0.1"], description="old")
    news = {**olds, "description": "new", "name": "edge2"}
    assert detailed_diff(RULES_LIST, olds, news, ["name"]) == {"description": (UPDATE, False), "name": (UPDATE, True)}
    assert detailed_diff(RULES_LIST, olds, {**olds, "max_removals": "5"}, []) == {"max_removals": (ADD, False)}


def test_list_items_are_compared_in_the_kind_recorded_from_the_list() -> None:
    olds = {"account_id": "0" * 32, "list_id": "1" * 32, "items": [{"asn": 13335}], "kind": "asn", "wait_timeout": 900}
    news = {**olds, "items": ["AS13335", 64512]}
    del news["kind"]
    assert detailed_diff(LIST_ITEMS, olds, news, []) == {"items[1]": (ADD, False)}
