"""saved_plans: a fingerprint of the items as read, a saved plan that reads back as it was written and is refused
once changed, and a plan applied only to the list it read, only as it was saved."""

from __future__ import annotations

import dataclasses
import json

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import GuardError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import EXACT, parse_items, plan
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import (
    SavedPlan,
    digest,
    fingerprint,
    refuse_created_since,
    refuse_unless_as_saved,
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


def saved_for(current, desired) -> SavedPlan:
    """What a planning sync saves for the list ``current`` and the items ``desired``."""
    made = plan(current, parse_items("ip", desired), EXACT)
    return dataclasses.replace(saved(), fingerprint=fingerprint(current), items=list(desired), plan=made.to_dict())


def test_a_saved_plan_applies_to_the_list_it_read_when_it_plans_the_same_again() -> None:
    current = read("10.0.0.1", "10.0.0.2")
    made = plan(current, parse_items("ip", ["10.0.0.1", "10.0.0.3"]), EXACT)
    assert refuse_unless_as_saved(saved_for(current, ["10.0.0.1", "10.0.0.3"]), current, made, "'blocklist'") is None
    refuse_unless_as_saved(None, current, made, "'blocklist'")


def test_a_list_that_changed_since_is_refused_saying_that_the_list_changed() -> None:
    current = read("10.0.0.1", "10.0.0.2")
    desired = ["10.0.0.1", "10.0.0.3"]
    with pytest.raises(GuardError) as refused:
        refuse_unless_as_saved(
            saved_for(current, desired), current[:1], plan(current[:1], parse_items("ip", desired)), "'blocklist'"
        )
    assert str(refused.value).startswith("The list 'blocklist' changed since the plan was made")
    assert "Invalid" not in str(refused.value) and "sync with plan_out" in str(refused.value)


@pytest.mark.parametrize(
    "change",
    [
        {"add": [{"ip": "10.0.0.3"}, {"ip": "203.0.113.66"}]},
        {"remove": []},
        {"writes": [{"method": "POST", "items": 1}]},
    ],
    ids=["another addition", "no removal", "other writes"],
)
def test_a_plan_other_than_the_one_its_items_give_is_refused(change) -> None:
    """Even with a digest made again: what is written is the plan the list and the items give, or nothing."""
    current = read("10.0.0.1", "10.0.0.2")
    desired = ["10.0.0.1", "10.0.0.3"]
    edited = saved_for(current, desired)
    edited = dataclasses.replace(edited, plan={**edited.plan, **change})
    with pytest.raises(GuardError, match="Invalid plan_file: its plan is not the plan its items give"):
        refuse_unless_as_saved(edited, current, plan(current, parse_items("ip", desired)), "'blocklist'")


def test_the_saved_plan_is_compared_in_canonical_form() -> None:
    current = read("10.0.0.1", "10.0.0.2")
    desired = ["10.0.0.3", "10.0.0.4"]
    reordered = saved_for(current, desired)
    reordered = dataclasses.replace(reordered, plan={**reordered.plan, "add": list(reversed(reordered.plan["add"]))})
    assert refuse_unless_as_saved(reordered, current, plan(current, parse_items("ip", desired)), "'blocklist'") is None


def test_a_list_made_meanwhile_is_refused() -> None:
    refuse_created_since(None, "blocklist")
    with pytest.raises(GuardError, match=r"^The plan creates list 'blocklist', but a list of that name"):
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
        ({"version": 1}, "'x.plan' is a saved plan of version 1, which this version does not apply"),
        ({"list": None}, "no list"),
        ({"mode": "everything"}, "unknown kind 'ip' or mode 'everything'"),
        ({"fingerprint": ""}, "its fingerprint is missing"),
        ({"items": "10.0.0.1"}, "its items or its plan are missing"),
        ({"plan": {"add": 5, "update": [], "remove": [], "writes": []}}, "its plan does not list add, update"),
        ({"max_removals": 10}, "max_removals is not a string"),
    ],
)
def test_anything_else_is_refused_naming_what_is_wrong(change, problem) -> None:
    with pytest.raises(ValidationError, match=problem):
        SavedPlan.from_dict(edited(change), parameter="PLANFILE", source="'x.plan'")


def edited(change) -> dict:
    """A saved plan's document with ``change`` made to it, and its digest made again, so that it reads back."""
    document = {**saved().to_dict(), **change}
    return {**document, "digest": digest(document)}


@pytest.mark.parametrize(
    "change",
    [
        {"items": [{"ip": "10.0.0.1"}, {"ip": "203.0.113.66"}]},
        {"plan": {"add": [], "update": [], "remove": [], "writes": []}},
        {"fingerprint": fingerprint(read("10.0.0.9"))},
        {"max_removals": None},
        {"extra": "a key added"},
        {"digest": None},
    ],
    ids=["items", "plan", "fingerprint", "guard", "a new key", "no digest"],
)
def test_a_saved_plan_changed_after_it_was_made_is_refused_naming_the_file(change) -> None:
    with pytest.raises(ValidationError, match=r"^Invalid PLANFILE: 'x.plan' was changed after it was made.*sync with"):
        SavedPlan.from_dict({**saved().to_dict(), **change}, parameter="PLANFILE", source="'x.plan'")


def test_the_digest_is_over_the_content_not_the_layout() -> None:
    document = saved().to_dict()
    relaid = json.loads(json.dumps(dict(reversed(list(document.items()))), indent=4))
    assert SavedPlan.from_dict(relaid) == saved()
    assert SavedPlan.from_dict(edited({"max_removals": None})).max_removals is None
