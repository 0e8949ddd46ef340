"""Asynchronous bulk writes: schedule, one pending operation per account, what each write does, failures, retention."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List

import pytest
from emulator_testkit import OTHER_ACCOUNT, Api, finish

from edgeops_cloudflare_lists.emulator import Emulator
from tests.fake_clock import FakeClock

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_write_returns_an_operation_id_at_once(frozen_api: Api) -> None:
    listed = frozen_api.create_list()
    response = frozen_api.request("POST", f"/{listed['id']}/items", json=[{"ip": "10.0.0.1"}])
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert re.fullmatch(r"[0-9a-f]{32}", response.json()["result"]["operation_id"])


def test_operation_goes_pending_running_completed(frozen_api: Api, clock: FakeClock) -> None:
    operation_id = frozen_api.write("POST", frozen_api.create_list()["id"], [{"ip": "10.0.0.1"}])
    assert frozen_api.operation(operation_id) == {"id": operation_id, "status": "pending"}
    clock.advance(1.0)
    assert frozen_api.operation(operation_id) == {"id": operation_id, "status": "running"}
    clock.advance(1.0)
    completed = frozen_api.operation(operation_id)
    assert set(completed) == {"id", "status", "completed"}
    assert completed["status"] == "completed"


def test_operation_follows_the_real_clock(api: Api) -> None:
    operation_id = api.write("PUT", api.create_list()["id"], [{"ip": "10.0.0.1"}])
    order = ["pending", "running", "completed"]
    seen: List[str] = []
    deadline = time.monotonic() + 10
    while not seen or seen[-1] != "completed":
        assert time.monotonic() < deadline, f"still {seen[-1]} after 10 s"
        seen.append(api.operation(operation_id)["status"])
        time.sleep(0.01)
    assert [order.index(status) for status in seen] == sorted(order.index(status) for status in seen)


def test_completed_timestamp_is_rfc3339_utc_and_matches_the_schedule(frozen_api: Api, clock: FakeClock) -> None:
    listed = frozen_api.create_list()
    operation_id = frozen_api.write("POST", listed["id"], [{"ip": "10.0.0.1"}])
    clock.advance(5.0)
    completed = frozen_api.operation(operation_id)["completed"]
    assert RFC3339_UTC.match(completed)
    created = datetime.strptime(listed["created_on"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    finished = datetime.strptime(completed, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    # Pending 1 s plus running 1 s after the write, not "whenever it was first observed".
    assert (finished - created).total_seconds() == pytest.approx(2.0)


def test_items_change_only_when_the_operation_completes(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}])
    clock.advance(1.5)  # running
    assert frozen_api.items(list_id) == []
    assert frozen_api.request("GET", f"/{list_id}").json()["result"]["num_items"] == 0
    clock.advance(0.5)
    assert [item["ip"] for item in frozen_api.items(list_id)] == ["10.0.0.1"]
    assert frozen_api.request("GET", f"/{list_id}").json()["result"]["num_items"] == 1


WRITES = [("POST", [{"ip": "10.0.0.2"}]), ("PUT", []), ("DELETE", {"items": [{"id": "0" * 32}]})]


@pytest.mark.parametrize(("method", "body"), WRITES)
def test_a_write_while_the_account_has_a_pending_operation_gets_429_with_retry_after(
    frozen: Emulator, frozen_api: Api, clock: FakeClock, method: str, body: Any
) -> None:
    first_list, other_list = frozen_api.create_list("first")["id"], frozen_api.create_list("other")["id"]
    first = frozen_api.write("POST", first_list, [{"ip": "10.0.0.1"}])
    for retry_after in ("2", "1"):  # pending, then running: the seconds until the operation finishes
        for list_id in (first_list, other_list):
            refused = frozen_api.request(method, f"/{list_id}/items", json=body)
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == retry_after
            assert refused.json()["success"] is False
            [error] = refused.json()["errors"]
            assert error["code"] == 10007
            assert "1 pending bulk operation per account" in error["message"]
            assert first in error["message"]
        clock.advance(1.0)
    assert frozen_api.request(method, f"/{other_list}/items", json=body).status_code == 200
    assert frozen.throttled_counts["operation_pending"] == 4
    assert frozen.throttled_counts["rate_limit"] == 0


def test_the_pending_operation_is_told_apart_from_the_rate_limit_by_its_text(frozen_api: Api) -> None:
    list_id = frozen_api.create_list()["id"]
    frozen_api.write("POST", list_id, [])
    [error] = frozen_api.request("POST", f"/{list_id}/items", json=[]).json()["errors"]
    assert error["code"] != 971
    assert "throttling" not in error["message"]
    assert "pending bulk operation" in error["message"]


def test_a_failed_write_frees_the_account(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    assert finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "bad"}]), clock)["status"] == "failed"
    assert frozen_api.request("POST", f"/{list_id}/items", json=[]).status_code == 200


def test_a_refused_write_does_not_become_pending(frozen_api: Api) -> None:
    list_id = frozen_api.create_list()["id"]
    assert frozen_api.request("POST", f"/{list_id}/items", json={"not": "an array"}).status_code == 400
    assert frozen_api.request("POST", f"/{list_id}/items", json=[]).status_code == 200


def test_a_pending_operation_blocks_deleting_its_list_but_not_reads_metadata_or_other_lists(frozen_api: Api) -> None:
    busy, idle = frozen_api.create_list("busy")["id"], frozen_api.create_list("idle")["id"]
    operation_id = frozen_api.write("POST", busy, [{"ip": "10.0.0.1"}])
    refused = frozen_api.request("DELETE", f"/{busy}")
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == 10007
    assert operation_id in refused.json()["errors"][0]["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    # Reads and list metadata are not bulk operations; deleting a list the operation doesn't touch is allowed.
    assert frozen_api.request("GET", f"/{busy}/items").status_code == 200
    assert frozen_api.request("PUT", f"/{busy}", json={"description": "x"}).status_code == 200
    assert frozen_api.request("DELETE", f"/{idle}").status_code == 200


def test_other_accounts_are_not_blocked_by_a_pending_operation(frozen_api: Api) -> None:
    frozen_api.write("POST", frozen_api.create_list()["id"], [{"ip": "10.0.0.1"}])
    other = frozen_api.request("POST", json={"name": "theirs", "kind": "ip"}, account=OTHER_ACCOUNT)
    response = frozen_api.request("POST", f"/{other.json()['result']['id']}/items", json=[], account=OTHER_ACCOUNT)
    assert response.status_code == 200


def test_concurrent_writes_to_one_account_accept_exactly_one(api: Api) -> None:
    list_ids = [api.create_list(f"list_{n}")["id"] for n in range(8)]
    statuses: List[int] = []
    barrier = threading.Barrier(len(list_ids))

    def write(list_id: str) -> None:
        barrier.wait()
        statuses.append(api.request("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}]).status_code)

    threads = [threading.Thread(target=write, args=(list_id,)) for list_id in list_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [429] * 7


def test_failed_operation_changes_nothing(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "keep"}]), clock)
    before = frozen_api.items(list_id)
    failed = finish(frozen_api, frozen_api.write("PUT", list_id, [{"ip": "10.0.0.9"}, {"ip": "bad"}]), clock)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("invalid list item at index 1:")
    assert frozen_api.items(list_id) == before


def test_item_cap_is_per_account_and_overflow_fails_the_operation(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    api = api_for(start_emulator(clock=clock, max_items_per_account=3))
    first, second = api.create_list("first")["id"], api.create_list("second")["id"]
    two = [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]
    assert finish(api, api.write("POST", first, two), clock)["status"] == "completed"
    failed = finish(api, api.write("POST", second, [{"ip": "10.0.0.3"}, {"ip": "10.0.0.4"}]), clock)
    assert failed == {**failed, "status": "failed", "error": "This list is at the maximum number of items"}
    assert api.items(second) == []
    assert len(api.items(first)) == 2
    # Up to the cap is fine, and rewriting existing values does not grow the account.
    assert finish(api, api.write("POST", second, [{"ip": "10.0.0.3"}]), clock)["status"] == "completed"
    assert finish(api, api.write("POST", first, [{"ip": "10.0.0.2", "comment": "c"}]), clock)["status"] == "completed"
    # A replace counts what the list will hold, not what it held.
    assert finish(api, api.write("PUT", first, [{"ip": "10.0.0.9"}]), clock)["status"] == "completed"
    assert finish(api, api.write("POST", second, [{"ip": "10.0.0.4"}]), clock)["status"] == "completed"


def test_the_default_item_cap_is_10000_per_account(frozen: Emulator) -> None:
    assert frozen.config.max_items_per_account == 10_000


def test_append_adds_and_replaces_items_with_the_same_key(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "old"}]), clock)
    [original] = frozen_api.items(list_id)
    clock.advance(10)
    # 10.0.0.1/32 is the same item as 10.0.0.1.
    body = [{"ip": "10.0.0.1/32", "comment": "new"}, {"ip": "10.0.0.2"}]
    finish(frozen_api, frozen_api.write("POST", list_id, body), clock)
    updated, added = frozen_api.items(list_id)
    assert updated["id"] == original["id"]
    assert updated["ip"] == "10.0.0.1"
    assert updated["comment"] == "new"
    assert updated["created_on"] == original["created_on"]
    assert updated["modified_on"] > original["modified_on"]
    assert added["ip"] == "10.0.0.2" and "comment" not in added


def test_append_without_a_comment_clears_the_existing_comment(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "old"}]), clock)
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}]), clock)
    [item] = frozen_api.items(list_id)
    assert "comment" not in item


def test_a_post_and_a_delete_leave_every_item_they_do_not_name_as_it_was(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": f"10.0.0.{n}"} for n in (1, 2, 3)]), clock)
    before = {item["ip"]: item for item in frozen_api.items(list_id)}
    clock.advance(60)
    body = [{"ip": "10.0.0.4"}, {"ip": "10.0.0.2", "comment": "updated"}]
    finish(frozen_api, frozen_api.write("POST", list_id, body), clock)
    clock.advance(60)
    finish(frozen_api, frozen_api.write("DELETE", list_id, {"items": [{"id": before["10.0.0.3"]["id"]}]}), clock)
    after = {item["ip"]: item for item in frozen_api.items(list_id)}
    assert sorted(after) == ["10.0.0.1", "10.0.0.2", "10.0.0.4"]
    assert after["10.0.0.1"] == before["10.0.0.1"]  # id, created_on and modified_on untouched
    updated = after["10.0.0.2"]
    assert (updated["id"], updated["created_on"]) == (before["10.0.0.2"]["id"], before["10.0.0.2"]["created_on"])
    assert updated["modified_on"] > before["10.0.0.2"]["modified_on"] and updated["comment"] == "updated"


def test_replace_swaps_all_items_and_gives_them_new_ids(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]), clock)
    kept_before = frozen_api.items(list_id)[0]
    finish(frozen_api, frozen_api.write("PUT", list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.3"}]), clock)
    kept, added = frozen_api.items(list_id)
    assert [kept["ip"], added["ip"]] == ["10.0.0.1", "10.0.0.3"]
    assert kept["id"] != kept_before["id"]
    assert kept["created_on"] > kept_before["created_on"]  # removed and added again, as Cloudflare's PUT does
    finish(frozen_api, frozen_api.write("PUT", list_id, []), clock)
    assert frozen_api.items(list_id) == []


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(
    ("kind", "first", "second"),
    [
        ("ip", {"ip": "10.0.0.1"}, {"ip": "10.0.0.1/32", "comment": "again"}),
        ("ip", {"ip": "2001:DB8::1"}, {"ip": "2001:db8:0::1/128"}),
        ("asn", {"asn": 13335}, {"asn": 13335}),
        ("hostname", {"hostname": {"url_hostname": "Example.com"}}, {"hostname": {"url_hostname": "example.COM"}}),
        (
            "redirect",
            {"redirect": {"source_url": "example.com", "target_url": "https://a.example/"}},
            {"redirect": {"source_url": "example.com/", "target_url": "https://b.example/"}},
        ),
    ],
)
def test_two_items_with_one_identity_key_in_one_write_are_refused_with_400(
    frozen_api: Api, method: str, kind: str, first: Dict[str, Any], second: Dict[str, Any]
) -> None:
    list_id = frozen_api.create_list(kind=kind)["id"]
    response = frozen_api.request(method, f"/{list_id}/items", json=[first, {kind: None}, second])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == 10008
    assert error["message"].startswith("list items at index 0 and 2 are the same item")
    # Nothing was accepted: the account is free.
    assert frozen_api.request(method, f"/{list_id}/items", json=[first]).status_code == 200


def test_an_invalid_item_gets_a_400_at_once_when_so_configured(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    api = api_for(start_emulator(clock=clock, item_errors="request"))
    list_id = api.create_list()["id"]
    response = api.request("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}, {"ip": "10.0.0.0/7"}])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == 10009
    assert error["message"].startswith("invalid list item at index 1:")
    assert finish(api, api.write("POST", list_id, [{"ip": "10.0.0.1"}]), clock)["status"] == "completed"


def test_delete_items_by_id_ignores_unknown_ids(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]), clock)
    first, second = frozen_api.items(list_id)
    body = {"items": [{"id": first["id"]}, {"id": "f" * 32}]}
    assert finish(frozen_api, frozen_api.write("DELETE", list_id, body), clock)["status"] == "completed"
    assert frozen_api.items(list_id) == [second]


@pytest.mark.parametrize("body", [None, {}, {"items": []}, {"items": [{}]}, {"items": [{"id": 1}]}, [{"id": "x"}]])
def test_delete_items_needs_a_body_with_item_ids(frozen_api: Api, body: Any) -> None:
    list_id = frozen_api.create_list()["id"]
    response = frozen_api.request("DELETE", f"/{list_id}/items", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 10001


@pytest.mark.parametrize("body", [{"ip": "10.0.0.1"}, {"items": [{"ip": "10.0.0.1"}]}, "10.0.0.1", None])
def test_items_body_that_is_not_an_array_is_400_at_once(frozen_api: Api, body: Any) -> None:
    list_id = frozen_api.create_list()["id"]
    for method in ("POST", "PUT"):
        response = frozen_api.request(method, f"/{list_id}/items", json=body)
        assert response.status_code == 400
        assert "JSON array" in response.json()["errors"][0]["message"]


def test_unknown_operation_is_404(api: Api) -> None:
    response = api.request("GET", f"/bulk_operations/{'a' * 32}")
    assert response.status_code == 404
    assert response.json()["errors"] == [{"code": 10006, "message": "bulk operation not found"}]


def test_operations_are_per_account(frozen_api: Api) -> None:
    operation_id = frozen_api.write("POST", frozen_api.create_list()["id"], [])
    assert frozen_api.request("GET", f"/bulk_operations/{operation_id}", account=OTHER_ACCOUNT).status_code == 404


def test_finished_operation_expires_after_its_ttl(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    api = api_for(start_emulator(clock=clock, pending_seconds=1, running_seconds=1, operation_ttl_seconds=60))
    operation_id = api.write("POST", api.create_list()["id"], [])
    clock.advance(2 + 59)
    assert api.operation(operation_id)["status"] == "completed"
    clock.advance(1)
    assert api.request("GET", f"/bulk_operations/{operation_id}").status_code == 404


def test_unfinished_operations_never_expire(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    emulator = start_emulator(clock=clock, pending_seconds=100, running_seconds=100, operation_ttl_seconds=1)
    api = api_for(emulator)
    operation_id = api.write("POST", api.create_list()["id"], [])
    clock.advance(150)
    assert api.operation(operation_id)["status"] == "running"
    assert [op["id"] for op in emulator.operations] == [operation_id]


def test_operations_snapshot_names_list_and_action(frozen: Emulator, frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    operation_id = frozen_api.write("PUT", list_id, [{"ip": "bad"}])
    clock.advance(2)
    [snapshot] = frozen.operations
    assert snapshot["id"] == operation_id
    assert snapshot["list_id"] == list_id
    assert snapshot["action"] == "replace"
    assert snapshot["status"] == "failed"
    assert frozen.lists()["office_ips"]["items"] == []


def test_writes_to_different_accounts_run_concurrently(start_emulator: Callable[..., Emulator]) -> None:
    emulator = start_emulator()
    accounts = [f"{n:032x}" for n in range(1, 9)]
    apis = {
        account: Api(emulator.base_url, {"Authorization": f"Bearer {emulator.config.token}"}, account)
        for account in accounts
    }
    operation_ids: Dict[str, str] = {}

    def write(account: str) -> None:
        api = apis[account]
        items = [{"ip": f"10.0.0.{n}"} for n in range(1, 21)]
        operation_ids[account] = api.write("POST", api.create_list()["id"], items)

    threads = [threading.Thread(target=write, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for account, api in apis.items():
        assert finish(api, operation_ids[account])["status"] == "completed"
