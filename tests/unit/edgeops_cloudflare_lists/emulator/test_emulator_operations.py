"""Asynchronous bulk writes: schedule, busy lists, validation inside the operation, result shapes, retention."""

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
    while not seen or seen[-1] != "completed":
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


@pytest.mark.parametrize(
    ("method", "body"),
    [("POST", [{"ip": "10.0.0.2"}]), ("PUT", []), ("DELETE", {"items": [{"id": "0" * 32}]})],
)
def test_write_to_busy_list_gets_429(frozen_api: Api, clock: FakeClock, method: str, body: Any) -> None:
    list_id = frozen_api.create_list()["id"]
    first = frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}])
    for _ in range(2):  # pending, then running
        refused = frozen_api.request(method, f"/{list_id}/items", json=body)
        assert refused.status_code == 429
        assert refused.json()["success"] is False
        assert refused.json()["errors"][0]["code"] == 10007
        assert first in refused.json()["errors"][0]["message"]
        clock.advance(1.0)
    assert frozen_api.request(method, f"/{list_id}/items", json=body).status_code == 200


def test_busy_list_cannot_be_deleted_but_other_lists_can_be_written(frozen_api: Api) -> None:
    busy, idle = frozen_api.create_list("busy")["id"], frozen_api.create_list("idle")["id"]
    frozen_api.write("POST", busy, [{"ip": "10.0.0.1"}])
    assert frozen_api.request("DELETE", f"/{busy}").status_code == 429
    assert frozen_api.request("POST", f"/{idle}/items", json=[{"ip": "10.0.0.1"}]).status_code == 200
    # Reads and metadata updates are not writes to the items.
    assert frozen_api.request("GET", f"/{busy}/items").status_code == 200
    assert frozen_api.request("PUT", f"/{busy}", json={"description": "x"}).status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/7",  # IPv4 prefix shorter than /8
        "2001:db8::/11",  # IPv6 prefix shorter than /12
        "2001:db8::/96",  # IPv6 prefix longer than /64
        "10.0.0.1/8",  # host bits set
        "10.0.0.256",
        "not-an-ip",
        "",
        "fe80::1%eth0",
        42,
    ],
)
def test_invalid_cidr_fails_operation_with_error(frozen_api: Api, clock: FakeClock, value: Any) -> None:
    list_id = frozen_api.create_list()["id"]
    operation_id = frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}, {"ip": value}])
    failed = finish(frozen_api, operation_id, clock)
    assert set(failed) == {"id", "status", "completed", "error"}
    assert failed["status"] == "failed"
    assert failed["error"].startswith("invalid list item at index 1:")
    assert RFC3339_UTC.match(failed["completed"])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.0.2.7/32", "192.0.2.7"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:db8:0:1::/64", "2001:db8:0:1::/64"),
        ("2400::/12", "2400::/12"),
        ("2001:DB8::1", "2001:db8::1"),
    ],
)
def test_valid_ip_forms_are_stored_normalised(frozen_api: Api, clock: FakeClock, given: str, stored: str) -> None:
    list_id = frozen_api.create_list()["id"]
    assert finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": given}]), clock)["status"] == "completed"
    assert [item["ip"] for item in frozen_api.items(list_id)] == [stored]


def test_failed_operation_changes_nothing(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "keep"}]), clock)
    before = frozen_api.items(list_id)
    failed = finish(frozen_api, frozen_api.write("PUT", list_id, [{"ip": "10.0.0.9"}, {"ip": "bad"}]), clock)
    assert failed["status"] == "failed"
    assert frozen_api.items(list_id) == before
    # The failed operation released the list.
    assert frozen_api.request("POST", f"/{list_id}/items", json=[]).status_code == 200


def test_exceeding_max_items_fails_operation(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    api = api_for(start_emulator(max_items_per_list=2))
    list_id = api.create_list()["id"]
    assert finish(api, api.write("POST", list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]))["status"] == "completed"
    failed = finish(api, api.write("POST", list_id, [{"ip": "10.0.0.3"}]))
    assert failed["status"] == "failed"
    assert failed["error"] == "This list is at the maximum number of items"
    assert len(api.items(list_id)) == 2
    # Re-adding existing values does not grow the list.
    assert finish(api, api.write("POST", list_id, [{"ip": "10.0.0.2", "comment": "c"}]))["status"] == "completed"


def test_append_adds_and_updates_existing_values(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "old"}]), clock)
    [original] = frozen_api.items(list_id)
    clock.advance(10)
    finish(
        frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "new"}, {"ip": "10.0.0.2"}]), clock
    )
    updated, added = frozen_api.items(list_id)
    assert updated["id"] == original["id"]
    assert updated["comment"] == "new"
    assert updated["created_on"] == original["created_on"]
    assert updated["modified_on"] > original["modified_on"]
    assert added["ip"] == "10.0.0.2" and "comment" not in added


def test_replace_swaps_all_items(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]), clock)
    finish(frozen_api, frozen_api.write("PUT", list_id, [{"ip": "10.0.0.3"}]), clock)
    assert [item["ip"] for item in frozen_api.items(list_id)] == ["10.0.0.3"]
    finish(frozen_api, frozen_api.write("PUT", list_id, []), clock)
    assert frozen_api.items(list_id) == []


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


@pytest.mark.parametrize(
    ("kind", "item", "message"),
    [
        ("ip", {"hostname": {"url_hostname": "example.com"}}, 'needs the "ip" field'),
        ("ip", {"ip": "10.0.0.1", "asn": 1}, 'does not accept "asn"'),
        ("ip", "10.0.0.1", "expected a JSON object"),
        ("ip", {"ip": "10.0.0.1", "comment": 5}, "comment must be a string"),
        ("asn", {"asn": "13335"}, "not a valid ASN"),
        ("asn", {"asn": True}, "not a valid ASN"),
        ("asn", {"asn": -1}, "not a valid ASN"),
        ("asn", {"asn": 2**32}, "not a valid ASN"),
        ("hostname", {"hostname": {"url_hostname": "https://example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "example.com/path"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "localhost"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "a.*.example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "-bad.example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": "example.com"}, "url_hostname"),
        ("redirect", {"redirect": {"source_url": "example.com/a"}}, "target_url"),
        ("redirect", {"redirect": {"source_url": "", "target_url": "https://x.example/"}}, "source_url"),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "https://x.example/", "status_code": 303}},
            "status_code",
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "ftp://x.example/"}},
            "absolute http or https URL",
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "https://x.example/", "subpath_matching": 1}},
            "subpath_matching",
        ),
    ],
)
def test_items_are_validated_per_kind_inside_the_operation(
    frozen_api: Api, clock: FakeClock, kind: str, item: Any, message: str
) -> None:
    list_id = frozen_api.create_list(kind=kind)["id"]
    failed = finish(frozen_api, frozen_api.write("POST", list_id, [item]), clock)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("invalid list item at index 0:")
    assert message in failed["error"]


@pytest.mark.parametrize(
    ("kind", "item", "stored"),
    [
        ("asn", {"asn": 13335}, 13335),
        ("asn", {"asn": 0}, 0),
        ("hostname", {"hostname": {"url_hostname": "*.Example.com"}}, {"url_hostname": "*.example.com"}),
        ("hostname", {"hostname": {"url_hostname": "api.example.co.uk"}}, {"url_hostname": "api.example.co.uk"}),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/arch", "target_url": "https://archlinux.org/"}},
            {
                "source_url": "example.com/arch",
                "target_url": "https://archlinux.org/",
                "include_subdomains": False,
                "subpath_matching": False,
                "preserve_query_string": False,
                "preserve_path_suffix": False,
                "status_code": 301,
            },
        ),
        (
            "redirect",
            {
                "redirect": {
                    "source_url": "https://example.com/a",
                    "target_url": "http://example.net/b",
                    "status_code": 308,
                    "include_subdomains": True,
                }
            },
            {
                "source_url": "https://example.com/a",
                "target_url": "http://example.net/b",
                "include_subdomains": True,
                "subpath_matching": False,
                "preserve_query_string": False,
                "preserve_path_suffix": False,
                "status_code": 308,
            },
        ),
    ],
)
def test_valid_items_of_each_kind_are_stored(
    frozen_api: Api, clock: FakeClock, kind: str, item: Dict[str, Any], stored: Any
) -> None:
    list_id = frozen_api.create_list(kind=kind)["id"]
    assert finish(frozen_api, frozen_api.write("POST", list_id, [item]), clock)["status"] == "completed"
    [saved] = frozen_api.items(list_id)
    assert saved[kind] == stored
    assert set(saved) == {"id", kind, "created_on", "modified_on"}


def test_get_one_item_and_unknown_item_is_404(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "c"}]), clock)
    [item] = frozen_api.items(list_id)
    response = frozen_api.request("GET", f"/{list_id}/items/{item['id']}")
    assert response.status_code == 200
    assert response.json()["result"] == item
    missing = frozen_api.request("GET", f"/{list_id}/items/{'0' * 32}")
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"code": 10006, "message": "list item not found"}]


def test_items_paginate_with_cursors(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    values = [f"10.0.0.{n}" for n in range(1, 6)]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": value} for value in values]), clock)
    seen: List[str] = []
    params: Dict[str, Any] = {"per_page": 2}
    pages = 0
    while True:
        body = frozen_api.request("GET", f"/{list_id}/items", params=params).json()
        pages += 1
        seen += [item["ip"] for item in body["result"]]
        cursors = body["result_info"]["cursors"]
        assert ("before" in cursors) == (pages > 1)
        if "after" not in cursors:
            break
        params = {"per_page": 2, "cursor": cursors["after"]}
    assert seen == values
    assert pages == 3
    back = frozen_api.request("GET", f"/{list_id}/items", params={"per_page": 2, "cursor": cursors["before"]})
    assert [item["ip"] for item in back.json()["result"]] == values[2:4]


def test_items_default_page_is_25(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": f"10.0.1.{n}"} for n in range(30)]), clock)
    body = frozen_api.request("GET", f"/{list_id}/items").json()
    assert len(body["result"]) == 25
    assert "after" in body["result_info"]["cursors"]


@pytest.mark.parametrize("params", [{"per_page": 0}, {"per_page": 501}, {"per_page": "x"}, {"cursor": "bogus"}])
def test_invalid_per_page_or_cursor_is_400(frozen_api: Api, params: Dict[str, Any]) -> None:
    list_id = frozen_api.create_list()["id"]
    response = frozen_api.request("GET", f"/{list_id}/items", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 10001


@pytest.mark.parametrize(
    ("kind", "items", "search", "expected"),
    [
        ("ip", [{"ip": "10.0.0.1"}, {"ip": "110.0.0.1"}, {"ip": "10.1.0.0/16"}], "10.", [0, 2]),
        ("asn", [{"asn": 13335}, {"asn": 133}], "133", [1]),
        (
            "hostname",
            [{"hostname": {"url_hostname": "api.example.com"}}, {"hostname": {"url_hostname": "example.org"}}],
            "example.com",
            [0],
        ),
        (
            "redirect",
            [
                {"redirect": {"source_url": "a.example.com/x", "target_url": "https://b.example.com/"}},
                {"redirect": {"source_url": "c.example.net/", "target_url": "https://d.example.net/"}},
            ],
            "b.example",
            [0],
        ),
    ],
)
def test_items_search_follows_the_reference_per_kind(
    frozen_api: Api, clock: FakeClock, kind: str, items: List[Any], search: str, expected: List[int]
) -> None:
    list_id = frozen_api.create_list(kind=kind)["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, items), clock)
    everything = frozen_api.items(list_id)
    assert frozen_api.items(list_id, search=search) == [everything[index] for index in expected]


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


def test_concurrent_writes_to_different_lists_all_complete(api: Api) -> None:
    list_ids = [api.create_list(f"list_{n}")["id"] for n in range(8)]
    operation_ids: Dict[str, str] = {}

    def write(list_id: str) -> None:
        operation_ids[list_id] = api.write("POST", list_id, [{"ip": f"10.0.0.{n}"} for n in range(1, 21)])

    threads = [threading.Thread(target=write, args=(list_id,)) for list_id in list_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for list_id in list_ids:
        assert finish(api, operation_ids[list_id])["status"] == "completed"
        assert len(api.items(list_id)) == 20
