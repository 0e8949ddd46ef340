"""client.request and client.paginate: a write is sent once, whatever the answer (only a refused connection is tried
again); pages followed to the end."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import client as client_module
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    MalformedResponseError,
    OperationPendingError,
    RateLimitedError,
    TransportError,
)
from core_testkit import ACCOUNT_ID, BASE_URL, envelope
from urllib3.exceptions import NewConnectionError, ProtocolError

LIST_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"
ITEMS_PATH = ("accounts", ACCOUNT_ID, "rules", "lists", LIST_ID, "items")
ITEMS_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/{LIST_ID}/items"
ACCEPTED = envelope({"operation_id": "4da8780eeb215e6cb7f48dd981c4ea02"})


def pending_429(retry_after: str = "2") -> dict:
    return {
        "status": 429,
        "json": envelope(None, success=False, errors=[{"code": 10000, "message": "a bulk operation is pending"}]),
        "headers": {"Retry-After": retry_after},
    }


def rate_limited_429() -> dict:
    return {
        "status": 429,
        "json": envelope(None, success=False, errors=[{"code": 971, "message": "Please wait"}]),
        "headers": {"Retry-After": "3"},
    }


def test_a_write_sends_its_json_body_and_returns_the_envelope(api, client):
    api.add(responses.POST, ITEMS_URL, json={**ACCEPTED, "result_info": {"x": 1}})
    answer = client.request("POST", ITEMS_PATH, what="POST items", json=[{"ip": "10.0.0.1"}])
    assert answer.result == {"operation_id": "4da8780eeb215e6cb7f48dd981c4ea02"}
    assert answer.result_info == {"x": 1}
    assert json.loads(api.calls[0].request.body) == [{"ip": "10.0.0.1"}]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_write_meeting_a_pending_operation_429_is_sent_once_and_says_when_to_plan_again(api, client, clock, method):
    api.add(method, ITEMS_URL, **pending_429("2"))
    api.add(method, ITEMS_URL, json=ACCEPTED)
    with pytest.raises(OperationPendingError) as info:
        client.request(method, ITEMS_PATH, what="write", json=[], deadline=clock() + 60)
    assert info.value.retry_after == 2
    assert len(api.calls) == 1
    assert clock.sleeps == []


def test_a_pending_operation_429_that_outlasts_the_deadline_is_its_own_error(api, client, clock):
    api.add(responses.PUT, ITEMS_URL, **pending_429("30"))
    with pytest.raises(OperationPendingError) as info:
        client.request("PUT", ITEMS_PATH, what="PUT items", json=[], deadline=clock() + 10)
    assert info.value.retry_after == 30
    assert "one bulk operation at a time per account" in str(info.value)
    assert "rate limit" not in str(info.value)
    assert len(api.calls) == 1


def test_a_write_meeting_the_user_rate_limit_is_rate_limited_not_pending_and_sent_once(api, client, clock):
    api.add(responses.POST, ITEMS_URL, **rate_limited_429())
    api.add(responses.POST, ITEMS_URL, json=ACCEPTED)
    with pytest.raises(RateLimitedError) as info:
        client.request("POST", ITEMS_PATH, what="POST items", json=[], deadline=clock() + 60)
    assert not isinstance(info.value, OperationPendingError)
    assert len(api.calls) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_write_meeting_a_5xx_is_ambiguous_and_never_resent(api, client, clock, status):
    api.add(responses.PUT, ITEMS_URL, status=status, body="<html>edge</html>")
    api.add(responses.PUT, ITEMS_URL, json=ACCEPTED)
    with pytest.raises(AmbiguousWriteError, match="may have been applied"):
        client.request("PUT", ITEMS_PATH, what="PUT items", json=[], deadline=clock() + 60)
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())),
    ],
    ids=["timeout", "cut-off"],
)
def test_a_write_with_no_answer_after_sending_is_ambiguous(api, client, error):
    api.add(responses.POST, ITEMS_URL, body=error)
    with pytest.raises(AmbiguousWriteError, match="may or may not have been applied"):
        client.request("POST", ITEMS_PATH, what="POST items", json=[])
    assert len(api.calls) == 1


def test_a_write_whose_connection_was_refused_is_a_plain_transport_error(api, client):
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    api.add(responses.POST, ITEMS_URL, body=requests.exceptions.ConnectionError(refused))
    with pytest.raises(TransportError) as info:
        client.request("POST", ITEMS_PATH, what="POST items", json=[])
    assert not isinstance(info.value, AmbiguousWriteError)


def test_a_get_meeting_a_5xx_is_retried_but_a_write_is_not(api, client):
    api.add(responses.GET, ITEMS_URL, status=503, body="")
    api.add(responses.GET, ITEMS_URL, json=envelope([]))
    assert client.request("GET", ITEMS_PATH, what="GET items").result == []
    assert len(api.calls) == 2


def page(items: list, after: str | None = None) -> dict:
    return {**envelope(items), "result_info": {"cursors": {"after": after} if after else {}}}


def test_paginate_follows_cursors_500_per_page_until_none(api, client):
    api.add(responses.GET, ITEMS_URL, json=page([1, 2], "c1"))
    api.add(responses.GET, ITEMS_URL, json=page([3], "c2"))
    api.add(responses.GET, ITEMS_URL, json=page([]))
    assert list(client.paginate(ITEMS_PATH, what="GET items")) == [1, 2, 3]
    queries = [call.request.params for call in api.calls]
    assert queries == [{"per_page": "500"}, {"per_page": "500", "cursor": "c1"}, {"per_page": "500", "cursor": "c2"}]


def test_paginate_stops_on_a_page_without_result_info_when_nothing_more_is_expected(api, client):
    api.add(responses.GET, ITEMS_URL, json=envelope([1]))
    assert list(client.paginate(ITEMS_PATH, what="GET items")) == [1]
    assert list(client.paginate(ITEMS_PATH, what="GET items", expected=1)) == [1]


def test_paginate_refuses_a_page_without_result_info_while_items_remain_even_after_a_recount(api, client):
    api.add(responses.GET, ITEMS_URL, json=envelope([1, 2]))
    recounts = []
    with pytest.raises(MalformedResponseError, match="only 2 of the 3 elements it holds were read"):
        list(client.paginate(ITEMS_PATH, what="GET items", expected=5, recount=lambda: recounts.append(1) or 3))
    assert recounts == [1]


def test_paginate_accepts_a_short_read_when_a_recount_says_the_collection_shrank(api, client):
    api.add(responses.GET, ITEMS_URL, json=envelope([1, 2]))
    assert list(client.paginate(ITEMS_PATH, what="GET items", expected=5, recount=lambda: 2)) == [1, 2]


def test_paginate_stops_well_past_the_expected_count_and_recounts_once_first(api, client):
    for number in range(10):
        api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), f"c{number}"))
    recounts = []
    with pytest.raises(MalformedResponseError, match="1500 elements read, well past the 10 elements it holds"):
        list(client.paginate(ITEMS_PATH, what="GET items", expected=10, recount=lambda: recounts.append(1) or 10))
    assert recounts == [1]
    assert len(api.calls) == 3


def test_paginate_goes_on_when_a_recount_says_writers_grew_the_collection(api, client):
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c1"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c2"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c3"))
    api.add(responses.GET, ITEMS_URL, json=page([1]))
    assert len(list(client.paginate(ITEMS_PATH, what="GET items", expected=10, recount=lambda: 1501))) == 1501


def test_paginate_without_a_count_stops_past_what_an_account_can_hold(api, client, monkeypatch):
    monkeypatch.setattr(client_module, "MAX_ACCOUNT_ITEMS", 1000)
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c1"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c2"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c3"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c4"))
    api.add(responses.GET, ITEMS_URL, json=page(list(range(500)), "c5"))
    with pytest.raises(MalformedResponseError, match="well past the 1000 elements an account can hold"):
        list(client.paginate(ITEMS_PATH, what="GET items"))


def test_paginate_halves_the_page_size_while_a_page_passes_the_body_cap(api, client):
    too_large = {"body": b"[" + b" " * (2 * 1024 * 1024) + b"]", "status": 200}
    api.add(responses.GET, ITEMS_URL, **too_large)
    api.add(responses.GET, ITEMS_URL, **too_large)
    api.add(responses.GET, ITEMS_URL, json=page([1, 2], "c1"))
    api.add(responses.GET, ITEMS_URL, json=page([3]))
    assert list(client.paginate(ITEMS_PATH, what="GET items")) == [1, 2, 3]
    sizes = [call.request.params["per_page"] for call in api.calls]
    assert sizes == ["500", "250", "125", "125"]


def test_paginate_refuses_a_cursor_loop(api, client):
    api.add(responses.GET, ITEMS_URL, json=page([1], "same"))
    api.add(responses.GET, ITEMS_URL, json=page([2], "same"))
    with pytest.raises(MalformedResponseError, match="already given"):
        list(client.paginate(ITEMS_PATH, what="GET items"))
    assert len(api.calls) == 2


def test_paginate_refuses_a_page_that_is_not_a_list(api, client):
    api.add(responses.GET, ITEMS_URL, json=envelope({"ip": "10.0.0.1"}))
    with pytest.raises(MalformedResponseError, match="not a list"):
        list(client.paginate(ITEMS_PATH, what="GET items"))


def test_a_write_answered_with_a_runaway_body_is_ambiguous(api, client):
    api.add(responses.PUT, ITEMS_URL, body=b"x" * (2 * 1024 * 1024), status=200)
    with pytest.raises(AmbiguousWriteError, match="may have been applied"):
        client.request("PUT", ITEMS_PATH, what="PUT items", json=[])
