"""sync: one plan, written as its difference (POST, then DELETE by id), each waited on, then verified; guards
before any write; ambiguous writes re-read, never resent."""

from __future__ import annotations

import dataclasses
import json

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    ConflictError,
    GuardError,
    NotFoundError,
    OperationFailedError,
    OperationPendingError,
    ValidationError,
    VerificationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import list_result
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    SyncOptions,
    apply_items,
    sync_items,
    sync_list,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope, operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID, BASE_URL, LIST_ID, OPERATION_ID

LISTS_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists"
LIST_URL = f"{LISTS_URL}/{LIST_ID}"
ITEMS_URL = f"{LIST_URL}/items"
OPERATION_URL = f"{LISTS_URL}/bulk_operations/{OPERATION_ID}"
FACTS = ListFacts(LIST_ID, "blocklist", "ip", "", 0, 0, None, None)
LIST_JSON = {"id": LIST_ID, "name": "blocklist", "kind": "ip", "description": "", "num_items": 0}


def items_page(*ips: str | dict) -> dict:
    items = [
        {"id": f"{index:032x}", **(ip if isinstance(ip, dict) else {"ip": ip}), "hostname": {}, "redirect": {}}
        for index, ip in enumerate(ips)
    ]
    return {**envelope(items), "result_info": {"cursors": {}}}


def accepted() -> dict:
    return envelope({"operation_id": OPERATION_ID})


def writes(api) -> list:
    return [call for call in api.calls if call.request.method != "GET"]


def test_a_plan_with_no_change_sends_no_write(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.1/32"]), "exact")
    assert not outcome.changed
    assert outcome.operation is None
    assert writes(api) == []


def completed(api) -> None:
    api.add(responses.GET, OPERATION_URL, json=envelope(operation("completed")))


def read_back(api, *ips: str | dict) -> None:
    """The verification of a one-page list: its facts (num_items), then the whole list."""
    api.add(responses.GET, LIST_URL, json=envelope({**LIST_JSON, "num_items": len(ips)}))
    api.add(responses.GET, ITEMS_URL, json=items_page(*ips))


def test_exact_sync_posts_additions_then_deletes_removals_each_waited_on_then_reads_back(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2"))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    api.add(responses.GET, OPERATION_URL, json=envelope(operation("pending")))
    completed(api)
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1", "10.0.0.3")
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.1", "10.0.0.3"]), "exact")
    assert outcome.changed and outcome.verified
    assert outcome.operation is not None and outcome.operation.succeeded
    assert outcome.plan.to_dict() == {
        "add": [{"ip": "10.0.0.3"}],
        "update": [],
        "remove": [{"ip": "10.0.0.2"}],
        "writes": [{"method": "POST", "items": 1}, {"method": "DELETE", "items": 1}],
    }
    post, delete = writes(api)
    assert json.loads(post.request.body) == [{"ip": "10.0.0.3"}]
    assert json.loads(delete.request.body) == {"items": [{"id": f"{1:032x}"}]}
    assert [write.method for write in outcome.writes] == ["POST", "DELETE"]
    assert outcome.items_written == 2
    assert outcome.list is not None and outcome.list.num_items == 2


def test_present_sync_posts_additions_and_updates_and_clears_a_dropped_comment(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page({"ip": "10.0.0.1", "comment": "old"}, "10.0.0.2"))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1", "10.0.0.2", "10.0.0.3")
    apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.1", "10.0.0.3"]), "present")
    [post] = writes(api)
    assert json.loads(post.request.body) == [{"ip": "10.0.0.3"}, {"ip": "10.0.0.1", "comment": ""}]


def test_absent_sync_deletes_by_id(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2"))
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1")
    apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2", "10.0.0.9"]), "absent")
    [delete] = writes(api)
    assert json.loads(delete.request.body) == {"items": [{"id": f"{1:032x}"}]}


def test_check_mode_plans_exactly_the_writes_a_real_run_sends_and_sends_none(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
    outcome = apply_items(
        client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact", SyncOptions(check_mode=True)
    )
    assert outcome.changed
    assert outcome.plan.to_dict() == {
        "add": [{"ip": "10.0.0.2"}],
        "update": [],
        "remove": [{"ip": "10.0.0.1"}],
        "writes": [{"method": "PUT", "items": 1}],
    }
    assert writes(api) == []


def test_an_ambiguous_write_that_was_applied_is_seen_on_the_re_read_and_not_resent(api, client, clock):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
    api.add(responses.PUT, ITEMS_URL, status=504, body="<html>timeout</html>")
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.2"))
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert outcome.changed
    assert outcome.operation is None
    assert outcome.plan.to_dict()["add"] == [{"ip": "10.0.0.2"}]
    assert len(writes(api)) == 1
    assert clock.sleeps == [5.0]  # a pause before the re-read, so an accepted write can show


def test_an_ambiguous_write_that_was_not_applied_is_planned_again_from_a_fresh_read(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
    api.add(responses.PUT, ITEMS_URL, status=502, body="")
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.5"))  # someone else wrote meanwhile
    api.add(responses.PUT, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.2")
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert outcome.verified
    methods = [call.request.method for call in api.calls]
    assert methods == ["GET", "PUT", "GET", "PUT", "GET", "GET", "GET"]


def test_an_ambiguous_delete_after_a_completed_post_replans_only_the_removal(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2"))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    api.add(responses.DELETE, ITEMS_URL, status=502, body="")
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2", "10.0.0.3"))
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1", "10.0.0.3")
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.1", "10.0.0.3"]), "exact")
    assert outcome.verified
    assert [call.request.method for call in writes(api)] == ["POST", "DELETE", "DELETE"]
    assert [write.method for write in outcome.writes] == ["POST", "DELETE"]


def test_writes_that_stay_ambiguous_end_with_the_ambiguous_error(api, client):
    for _attempt in range(3):
        api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
        api.add(responses.PUT, ITEMS_URL, status=503, body="")
    with pytest.raises(AmbiguousWriteError) as info:
        apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert len(writes(api)) == 3
    assert "writes only what remains" in str(info.value)


def test_a_failed_operation_raises_with_cloudflares_text_and_says_the_list_is_as_it_was(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    text = "This list is at the maximum number of items"
    api.add(
        responses.GET, OPERATION_URL, json=envelope(operation("failed", completed="2024-05-01T08:00:00Z", error=text))
    )
    with pytest.raises(OperationFailedError, match=text) as info:
        apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert "POST of 1 item to list 'blocklist'" in info.value.message
    assert "The list's items are as they were" in (info.value.hint or "")


def test_a_failure_between_the_two_writes_says_what_was_applied_and_what_was_not(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.9"))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    api.add(
        responses.GET, OPERATION_URL, json=envelope(operation("failed", completed="2024-05-01T08:00:00Z", error="no"))
    )
    with pytest.raises(OperationFailedError) as info:
        apply_items(
            client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2", "10.0.0.3"]), "present", owned_keys=["10.0.0.1"]
        )
    assert "The DELETE of 1 item to list 'blocklist'" in info.value.message
    assert f"Applied before it: POST of 2 items (operation {OPERATION_ID})." in (info.value.hint or "")


def test_a_list_that_does_not_read_back_as_planned_is_a_verification_error(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.7")
    with pytest.raises(VerificationError, match="does not read back as planned"):
        apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")


# A list of 1,500 items, as read before the write (its items are read no further than that count and a margin).
LARGE = dataclasses.replace(FACTS, num_items=1500)


def test_a_large_list_verifies_the_changed_items_by_search_and_its_count(api, client):
    current = [f"10.{n // 250}.{n % 250}.1" for n in range(1500)]
    api.add(responses.GET, ITEMS_URL, json=items_page(*current))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    api.add(responses.GET, LIST_URL, json=envelope({**LIST_JSON, "num_items": 1501}))
    api.add(responses.GET, ITEMS_URL, json=items_page("192.0.2.1", "192.0.2.10"))  # search is a prefix match
    outcome = apply_items(client, ACCOUNT_ID, LARGE, parse_items("ip", [*current, "192.0.2.1"]), "exact")
    assert outcome.verified and len(outcome.items) == 1501
    assert api.calls[-1].request.params == {"search": "192.0.2.1", "per_page": "500"}
    assert len(api.calls) == 5


def test_a_large_list_whose_count_is_off_after_the_write_is_a_verification_error(api, client):
    current = [f"10.{n // 250}.{n % 250}.1" for n in range(1500)]
    api.add(responses.GET, ITEMS_URL, json=items_page(*current))
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    api.add(responses.GET, LIST_URL, json=envelope({**LIST_JSON, "num_items": 1502}))
    api.add(responses.GET, ITEMS_URL, json=items_page("192.0.2.1"))
    with pytest.raises(VerificationError, match="it holds 1502 items, not 1501"):
        apply_items(client, ACCOUNT_ID, LARGE, parse_items("ip", [*current, "192.0.2.1"]), "exact")


def test_without_wait_the_operation_is_checked_once_and_not_read_back(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    api.add(responses.GET, OPERATION_URL, json=envelope(operation("pending")))
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact", SyncOptions(wait=False))
    assert outcome.operation is not None and outcome.operation.status == "pending"
    assert not outcome.verified
    assert len(api.calls) == 3


def test_an_exact_sync_to_no_items_is_refused_before_any_request_unless_allowed(api, client):
    with pytest.raises(GuardError, match="set allow_empty"):
        sync_list(client, ACCOUNT_ID, "blocklist", kind="ip", items=[])
    with pytest.raises(GuardError, match="set allow_empty"):
        sync_items(client, ACCOUNT_ID, "blocklist", [])
    with pytest.raises(GuardError):
        apply_items(client, ACCOUNT_ID, FACTS, [], "exact")
    assert len(api.calls) == 0
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1"))
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api)
    outcome = apply_items(client, ACCOUNT_ID, FACTS, [], "exact", SyncOptions(allow_empty=True))
    assert outcome.changed and outcome.verified


@pytest.mark.parametrize("limit", ["1", 1, "40%"])
def test_a_plan_removing_more_than_max_removals_is_refused_before_any_write(api, client, limit):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2", "10.0.0.3"))
    with pytest.raises(GuardError, match=r"would remove 2 of the 3 items of list 'blocklist'"):
        apply_items(
            client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.1"]), "exact", SyncOptions.of(max_removals=limit)
        )
    assert writes(api) == []


def test_a_plan_within_max_removals_goes_ahead(api, client):
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.1", "10.0.0.2", "10.0.0.3"))
    api.add(responses.DELETE, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1", "10.0.0.3")
    apply_items(
        client,
        ACCOUNT_ID,
        FACTS,
        parse_items("ip", ["10.0.0.1", "10.0.0.3"]),
        "exact",
        SyncOptions.of(max_removals="34%"),
    )
    assert [call.request.method for call in writes(api)] == ["DELETE"]


@pytest.mark.parametrize("value", ["-1", "ten", "101%", True, 1.5])
def test_a_bad_max_removals_is_refused_naming_it(value):
    with pytest.raises(ValidationError, match="max_removals"):
        SyncOptions.of(max_removals=value)


def test_bad_items_are_refused_before_any_request(api, client):
    with pytest.raises(ValidationError, match=r"items\[1\]"):
        sync_list(client, ACCOUNT_ID, "blocklist", kind="ip", items=["10.0.0.1", "nope"])
    with pytest.raises(ValidationError, match=r"items\[0\]"):
        sync_items(client, ACCOUNT_ID, "blocklist", ["nope"], kind="ip")
    assert len(api.calls) == 0


def test_a_missing_list_without_a_kind_says_to_give_one(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    with pytest.raises(ValidationError, match="give its kind"):
        sync_list(client, ACCOUNT_ID, "blocklist", items=["10.0.0.1"])
    assert writes(api) == []


def test_a_missing_list_is_created_then_its_items_written_once(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    api.add(responses.POST, LISTS_URL, json=envelope(LIST_JSON))
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.1")
    outcome = sync_list(client, ACCOUNT_ID, "blocklist", kind="ip", description="blocked", items=["10.0.0.1"])
    assert outcome.created and outcome.changed
    assert outcome.list is not None and outcome.list.num_items == 1
    assert json.loads(api.calls[1].request.body) == {"name": "blocklist", "kind": "ip", "description": "blocked"}


@pytest.mark.parametrize("create", ["sync_list", "sync_items"])
def test_a_list_created_by_a_call_whose_first_write_fails_is_deleted_again(api, client, create):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    api.add(responses.POST, LISTS_URL, json=envelope(LIST_JSON))
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    api.add(
        responses.GET,
        OPERATION_URL,
        json=envelope(operation("failed", completed="2024-05-01T08:00:00Z", error="over the account's cap")),
    )
    api.add(responses.DELETE, LIST_URL, json=envelope({"id": LIST_ID}))
    with pytest.raises(OperationFailedError) as info:
        if create == "sync_list":
            sync_list(client, ACCOUNT_ID, "blocklist", kind="ip", items=["10.0.0.1"])
        else:
            sync_items(client, ACCOUNT_ID, "blocklist", ["10.0.0.1"], kind="ip")
    assert api.calls[-1].request.method == "DELETE" and api.calls[-1].request.url == LIST_URL
    assert "was deleted again, so the account is as it was" in str(info.value)


def test_a_list_created_by_a_call_that_ran_out_of_time_is_left_and_the_deadline_kept(api, client, clock):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    api.add(responses.POST, LISTS_URL, json=envelope(LIST_JSON))
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    api.add(responses.GET, OPERATION_URL, json=envelope(operation("running")))
    start = clock()
    with pytest.raises(WaitTimeoutError) as info:
        sync_list(
            client,
            ACCOUNT_ID,
            "blocklist",
            kind="ip",
            items=["10.0.0.1"],
            options=SyncOptions(policy=WaitPolicy(timeout=30)),
        )
    assert clock() - start <= 30
    assert "DELETE" not in [call.request.method for call in api.calls]
    assert f"The new list 'blocklist' ({LIST_ID}) is still there, as the time ran out; delete it" in str(info.value)


def test_check_mode_for_a_missing_list_plans_every_item_and_sends_nothing(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    outcome = sync_list(
        client, ACCOUNT_ID, "blocklist", kind="ip", items=["10.0.0.1"], options=SyncOptions(check_mode=True)
    )
    assert outcome.created and outcome.changed and outcome.list is None
    assert outcome.diff() == {"before": {}, "after": {"description": "", "items": [{"ip": "10.0.0.1"}]}}
    assert writes(api) == []


def test_check_mode_for_a_missing_list_returns_the_list_as_it_would_be_created(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    outcome = sync_list(
        client,
        ACCOUNT_ID,
        "blocklist",
        kind="ip",
        description="Blocked",
        items=["10.0.0.1", "10.0.0.2/32", "10.0.1.0/24"],
        options=SyncOptions(check_mode=True),
    )
    assert list_result(outcome.list, outcome.planned_list) == {
        "id": None,
        "name": "blocklist",
        "kind": "ip",
        "description": "Blocked",
        "num_items": 3,
        "num_referencing_filters": 0,
        "created_on": None,
        "modified_on": None,
    }
    assert set(list_result(outcome.list, outcome.planned_list) or {}) == set(FACTS.to_dict())
    assert writes(api) == []


def test_check_mode_of_a_new_list_without_items_plans_an_empty_list(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    outcome = sync_list(client, ACCOUNT_ID, "blocklist", kind="asn", options=SyncOptions(check_mode=True))
    planned = list_result(outcome.list, outcome.planned_list) or {}
    assert (planned["kind"], planned["description"], planned["num_items"], planned["id"]) == ("asn", "", 0, None)


def test_check_mode_of_items_for_a_list_to_create_returns_the_list_as_it_would_be_created(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    facts, outcome = sync_items(
        client, ACCOUNT_ID, "blocklist", ["10.0.0.1", "10.0.0.2"], kind="ip", options=SyncOptions(check_mode=True)
    )
    assert facts is None and outcome.created
    planned = list_result(facts, outcome.planned_list) or {}
    assert (planned["name"], planned["kind"], planned["num_items"], planned["id"]) == ("blocklist", "ip", 2, None)
    assert writes(api) == []


def test_a_result_without_a_list_has_none():
    assert list_result(None, None) is None
    assert list_result(FACTS, None) == FACTS.to_dict()


def test_a_description_change_alone_is_a_change_without_a_bulk_operation(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([LIST_JSON]))
    api.add(responses.PUT, LIST_URL, json=envelope({**LIST_JSON, "description": "new"}))
    outcome = sync_list(client, ACCOUNT_ID, "blocklist", description="new")
    assert outcome.changed and outcome.items is None
    assert outcome.diff() == {"before": {"description": ""}, "after": {"description": "new"}}
    assert json.loads(writes(api)[0].request.body) == {"description": "new"}


def test_a_list_of_another_kind_is_a_conflict(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([LIST_JSON]))
    with pytest.raises(ConflictError, match="kind can't change"):
        sync_list(client, ACCOUNT_ID, "blocklist", kind="asn", items=[13335])


def test_two_lists_with_one_name_are_a_conflict_naming_both(api, client):
    other = {**LIST_JSON, "id": "f" * 32}
    api.add(responses.GET, LISTS_URL, json=envelope([LIST_JSON, other]))
    with pytest.raises(ConflictError, match=f"{LIST_ID}, {'f' * 32}"):
        sync_list(client, ACCOUNT_ID, "blocklist")


def test_a_list_rules_still_use_is_not_deleted(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([{**LIST_JSON, "num_referencing_filters": 2}]))
    with pytest.raises(ConflictError, match="used by 2 rules"):
        sync_list(client, ACCOUNT_ID, "blocklist", state="absent")
    assert writes(api) == []


def test_deleting_an_absent_list_changes_nothing(api, client):
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    outcome = sync_list(client, ACCOUNT_ID, "blocklist", state="absent")
    assert not outcome.changed


def test_the_whole_sync_ends_by_its_deadline_even_when_the_operation_never_finishes(api, client, clock):
    api.add(responses.GET, LISTS_URL, json=envelope([LIST_JSON]))
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    api.add(responses.GET, OPERATION_URL, json=envelope(operation("running")))
    start = clock()
    with pytest.raises(WaitTimeoutError, match="still running") as info:
        sync_list(
            client, ACCOUNT_ID, "blocklist", items=["10.0.0.1"], options=SyncOptions(policy=WaitPolicy(timeout=120))
        )
    assert clock() - start <= 120
    assert "run again to converge" in str(info.value)


BUSY = {
    "status": 429,
    "json": envelope(None, success=False, errors=[{"code": 10000, "message": "a bulk operation is pending"}]),
    "headers": {"Retry-After": "7"},
}


def test_a_write_meeting_a_pending_operation_is_not_resent_but_waited_out_and_planned_again(api, client, clock):
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, **BUSY)
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, json=accepted())
    completed(api)
    read_back(api, "10.0.0.2")
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert outcome.verified
    assert [call.request.method for call in api.calls][:4] == ["GET", "POST", "GET", "POST"]
    assert 7 in clock.sleeps


def test_a_change_applied_by_the_operation_that_held_the_account_is_not_written_again(api, client, clock):
    # The 429's operation was this very change (an earlier write that seemed lost): the new read shows it.
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(responses.POST, ITEMS_URL, **BUSY)
    api.add(responses.GET, ITEMS_URL, json=items_page("10.0.0.2"))
    outcome = apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact")
    assert outcome.changed and outcome.operation is None
    assert len(writes(api)) == 1


def test_a_pending_operation_past_the_deadline_ends_the_sync_with_its_own_error(api, client, clock):
    api.add(responses.GET, ITEMS_URL, json=items_page())
    api.add(
        responses.POST,
        ITEMS_URL,
        status=429,
        json=envelope(None, success=False, errors=[{"code": 10000, "message": "pending"}]),
        headers={"Retry-After": "500"},
    )
    with pytest.raises(OperationPendingError):
        apply_items(client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.2"]), "exact", deadline=clock() + 100)


def test_a_missing_list_id_is_not_taken_for_the_name_of_a_list_to_create(api, client):
    api.add(
        responses.GET,
        LIST_URL,
        status=404,
        json=envelope(None, success=False, errors=[{"code": 10001, "message": "not found"}]),
    )
    api.add(responses.GET, LISTS_URL, json=envelope([]))
    with pytest.raises(NotFoundError):
        sync_items(client, ACCOUNT_ID, LIST_ID, ["10.0.0.1"], kind="ip")
    assert writes(api) == []
