"""Cloudflare's write quotas per account (item changes and item-writing requests over a sliding 12 hours), and the
write counts the emulator reports in its stats: what each write carried and what it counted against the quota."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest
from emulator_testkit import OTHER_ACCOUNT, Api, finish

from edgeops_cloudflare_lists.emulator import Emulator
from edgeops_cloudflare_lists.emulator.quota import QuotaRefusal, WriteQuotas, describe_refusal
from tests.fake_clock import FakeClock

HOURS_12 = 12 * 3600


def ips(*values: str) -> List[Dict[str, Any]]:
    return [{"ip": value} for value in values]


def writes_of(emulator: Emulator, account: str) -> Dict[str, Any]:
    counts: Dict[str, Any] = emulator.stats()["writes"][account]
    return counts


def refused(response: Any) -> Dict[str, Any]:
    assert response.status_code == 429, response.text
    [error] = response.json()["errors"]
    assert error["code"] == 10012
    assert error["message"].startswith("Write quota exceeded (")
    result: Dict[str, Any] = error
    return result


@pytest.fixture
def quota(start_emulator: Callable[..., Emulator], clock: FakeClock, api_for: Callable[..., Api]) -> Callable[..., Api]:
    """An API on an emulator with the given quotas, whose operations finish 1 s after each write."""

    def start(**limits: Any) -> Api:
        return api_for(start_emulator(clock=clock, pending_seconds=0.5, running_seconds=0.5, **limits))

    return start


def test_the_defaults_are_cloudflares_quotas(emulator: Emulator) -> None:
    assert emulator.config.write_quota_item_changes == 1_000_000
    assert emulator.config.write_quota_requests == 30_000
    assert emulator.config.write_quota_window_seconds == HOURS_12


def test_each_write_counts_its_items_and_a_put_counts_every_item_removed_and_added(
    frozen: Emulator, frozen_api: Api, clock: FakeClock
) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, ips("10.0.0.1", "10.0.0.2", "10.0.0.3")), clock)
    finish(frozen_api, frozen_api.write("POST", list_id, ips("10.0.0.3")), clock)  # replaces an item: 1 change
    first, *_ = frozen_api.items(list_id)
    # A DELETE counts the ids the list holds, each once; unknown ids change nothing.
    body = {"items": [{"id": first["id"]}, {"id": first["id"]}, {"id": "f" * 32}]}
    finish(frozen_api, frozen_api.write("DELETE", list_id, body), clock)
    finish(frozen_api, frozen_api.write("PUT", list_id, ips("10.0.0.7", "10.0.0.8", "10.0.0.9")), clock)  # 2 + 3
    writes = writes_of(frozen, frozen.config.account_id)
    assert writes["by_method"] == {
        "DELETE": {"requests": 1, "items": 3, "item_changes": 1},
        "POST": {"requests": 2, "items": 4, "item_changes": 4},
        "PUT": {"requests": 1, "items": 3, "item_changes": 5},
    }
    assert (writes["requests"], writes["items"], writes["item_changes"]) == (4, 10, 10)
    assert writes["quota"]["item_changes"] == {"used": 10, "limit": 1_000_000}
    assert writes["quota"]["requests"] == {"used": 4, "limit": 30_000}
    assert [(op["method"], op["items"], op["item_changes"]) for op in frozen.operations] == [
        ("POST", 3, 3),
        ("POST", 1, 1),
        ("DELETE", 3, 1),
        ("PUT", 3, 5),
    ]


def test_a_write_past_the_item_change_quota_is_a_429_naming_it_and_nothing_is_counted_or_written(
    quota: Callable[..., Api], clock: FakeClock
) -> None:
    api = quota(write_quota_item_changes=5)
    list_id = api.create_list()["id"]
    finish(api, api.write("POST", list_id, ips("10.0.0.1", "10.0.0.2")), clock)  # at t, finished at t + 1
    clock.advance(100)
    response = api.request("PUT", f"/{list_id}/items", json=ips("10.0.0.1", "10.0.0.2"))  # 2 removed + 2 added
    error = refused(response)
    assert error["message"] == (
        "Write quota exceeded (5 list item changes per account per 12 hours): this write makes 4 and 2 were made "
        f"in the last 12 hours. Retry after {HOURS_12 - 101} s, or write fewer items"
    )
    assert response.headers["Retry-After"] == str(HOURS_12 - 101)
    # What fits is still accepted: POST 3 new items, 2 + 3 = 5.
    finish(api, api.write("POST", list_id, ips("10.0.0.3", "10.0.0.4", "10.0.0.5")), clock)
    assert [item["ip"] for item in api.items(list_id)] == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
    refused(api.request("POST", f"/{list_id}/items", json=ips("10.0.0.6")))


def test_the_window_slides_so_a_write_fits_again_once_the_oldest_writes_are_12_hours_old(
    quota: Callable[..., Api], clock: FakeClock
) -> None:
    api = quota(write_quota_requests=2)
    list_id = api.create_list()["id"]
    finish(api, api.write("POST", list_id, ips("10.0.0.1")), clock)  # at t, finished at t + 1
    clock.advance(3600)
    finish(api, api.write("POST", list_id, ips("10.0.0.2")), clock)  # at t + 1 h + 1 s, finished 1 s later
    response = api.request("POST", f"/{list_id}/items", json=ips("10.0.0.3"))
    assert refused(response)["message"].startswith(
        "Write quota exceeded (2 item-writing requests per account per 12 hours): 2 were made"
    )
    waited = int(response.headers["Retry-After"])
    assert waited == HOURS_12 - 3600 - 2  # until the first write leaves the window
    clock.advance(waited - 1)
    refused(api.request("POST", f"/{list_id}/items", json=ips("10.0.0.3")))
    clock.advance(1)
    assert finish(api, api.write("POST", list_id, ips("10.0.0.3")), clock)["status"] == "completed"


def test_a_write_over_the_quota_on_its_own_says_to_split_it(quota: Callable[..., Api]) -> None:
    api = quota(write_quota_item_changes=2)
    list_id = api.create_list()["id"]
    response = api.request("POST", f"/{list_id}/items", json=ips("10.0.0.1", "10.0.0.2", "10.0.0.3"))
    assert refused(response)["message"].endswith("This write alone is over the quota: split it into smaller writes")
    assert response.headers["Retry-After"] == str(HOURS_12)


def test_quotas_and_counts_are_per_account(frozen: Emulator, api_for: Callable[..., Api], clock: FakeClock) -> None:
    mine, theirs = api_for(frozen), api_for(frozen, account=OTHER_ACCOUNT)
    finish(mine, mine.write("POST", mine.create_list()["id"], ips("10.0.0.1", "10.0.0.2")), clock)
    finish(theirs, theirs.write("POST", theirs.create_list()["id"], ips("10.0.0.1")), clock)
    assert writes_of(frozen, frozen.config.account_id)["item_changes"] == 2
    assert writes_of(frozen, OTHER_ACCOUNT)["item_changes"] == 1


def test_a_write_refused_for_a_pending_operation_or_a_duplicate_counts_nothing(
    frozen: Emulator, frozen_api: Api, clock: FakeClock
) -> None:
    list_id = frozen_api.create_list()["id"]
    frozen_api.write("POST", list_id, ips("10.0.0.1"))
    assert frozen_api.request("POST", f"/{list_id}/items", json=ips("10.0.0.2")).status_code == 429
    clock.advance(5)
    assert frozen_api.request("POST", f"/{list_id}/items", json=ips("10.0.0.2", "10.0.0.2/32")).status_code == 400
    assert writes_of(frozen, frozen.config.account_id)["requests"] == 1


def test_describe_refusal_names_the_quota_and_what_to_do() -> None:
    requests = QuotaRefusal("requests", 30_000, 30_000, 1, HOURS_12, 60)
    assert describe_refusal(requests) == (
        "Write quota exceeded (30,000 item-writing requests per account per 12 hours): 30,000 were made in the "
        "last 12 hours. Retry after 60 s, or send fewer, larger writes"
    )


def test_the_quota_counts_in_a_sliding_window_on_the_clock_it_is_given() -> None:
    quotas = WriteQuotas(item_changes=10, requests=100, window=60)
    quotas.record("a", "POST", 6, 6, now=0)
    quotas.record("a", "POST", 4, 4, now=30)
    refusal = quotas.refusal("a", 5, now=40)
    assert refusal is not None and (refusal.quota, refusal.used, refusal.retry_after) == ("item_changes", 10, 20)
    assert quotas.refusal("a", 5, now=60) is None  # the first write has left the window
    assert quotas.refusal("b", 10, now=0) is None
    assert quotas.refusal("b", 11, now=0) == QuotaRefusal("item_changes", 10, 0, 11, 60, None)
