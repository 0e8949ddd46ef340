"""saved_plans: a fingerprint of the items as read, and a saved plan that reads back as it was written."""

from __future__ import annotations

import dataclasses
import json

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import GuardError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import (
    SavedPlan,
    fingerprint,
    refuse_changed_since,
    refuse_created_since,
)

FACTS = ListFacts("2c0fc9fa937b11eaa1b71c4d701ab86e", "blocklist", "ip", "", 2, 0, None, None)


def read(*raws, ids=("a", "b", "c")):
    """Items as read from Cloudflare: canonical, each with an id."""
    return [dataclasses.replace(item, id=item_id) for item, item_id in zip(parse_items("ip", raws), ids)]


def test_the_fingerprint_ignores_the_order_the_items_were_read_in() -> None:
    first = read("10.0.0.1", "10.0.0.2")
    assert fingerprint(first) == fingerprint(list(reversed(first)))
    assert fingerprint(first).startswith("sha256:")


@pytest.mark.parametrize(
    "other",
    [
        read("10.0.0.1", "10.0.0.3"),
        read("10.0.0.1", {"ip": "10.0.0.2", "comment": "now commented"}),
        read("10.0.0.1", "10.0.0.2", ids=("a", "z")),
        read("10.0.0.1"),
    ],
    ids=["another value", "another comment", "another id", "one item fewer"],
)
def test_the_fingerprint_changes_with_any_value_comment_or_id(other) -> None:
    assert fingerprint(other) != fingerprint(read("10.0.0.1", "10.0.0.2"))


def test_a_list_that_changed_since_is_refused_and_an_unchanged_one_is_not() -> None:
    items = read("10.0.0.1", "10.0.0.2")
    refuse_changed_since(items, fingerprint(items), FACTS)
    refuse_changed_since(items, None, FACTS)
    with pytest.raises(GuardError, match=r"list 'blocklist' .* changed since the plan was made"):
        refuse_changed_since(items[:1], fingerprint(items), FACTS)


def test_a_list_made_meanwhile_is_refused() -> None:
    refuse_created_since(None, "blocklist")
    with pytest.raises(GuardError, match="a list of that name"):
        refuse_created_since(FACTS, "blocklist")


def saved() -> SavedPlan:
    return SavedPlan(
        account_id="023e105f4ecef8ad9ca31a8372d0c353",
        list_id=None,
        list_name="blocklist",
        kind="ip",
        mode="exact",
        items=[{"ip": "10.0.0.1"}],
        fingerprint=fingerprint(()),
        plan={"add": [{"ip": "10.0.0.1"}], "update": [], "remove": [], "writes": []},
        max_removals="10%",
    )


def test_a_saved_plan_reads_back_as_it_was_written() -> None:
    assert SavedPlan.from_dict(json.loads(json.dumps(saved().to_dict()))) == saved()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"format": "terraform plan"}, "not a saved plan"),
        ({"version": 2}, "of version 2"),
        ({"list": None}, "no list"),
        ({"mode": "everything"}, "unknown kind 'ip' or mode 'everything'"),
        ({"fingerprint": ""}, "its fingerprint is missing"),
        ({"items": "10.0.0.1"}, "its items or its plan are missing"),
        ({"max_removals": 10}, "max_removals is not a string"),
    ],
)
def test_anything_else_is_refused_naming_what_is_wrong(change, problem) -> None:
    with pytest.raises(ValidationError, match=problem):
        SavedPlan.from_dict({**saved().to_dict(), **change}, parameter="PLANFILE")
