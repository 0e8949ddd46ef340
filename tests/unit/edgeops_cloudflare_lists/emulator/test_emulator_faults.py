"""Seeded fault injection: edge HTML pages, 429s, slow answers and dropped connections, never after a write."""

from __future__ import annotations

import time
from typing import Callable, List

import pytest
import requests
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import Api

from edgeops_cloudflare_lists.emulator import FAULT_KINDS, Emulator


def outcome(api: Api) -> str:
    """What a client saw: the status code, or "dropped" for a connection closed without a response."""
    try:
        return str(api.request("GET").status_code)
    except requests.ConnectionError:
        return "dropped"


def outcomes(emulator: Emulator, api_for: Callable[..., Api], count: int) -> List[str]:
    api = api_for(emulator)
    return [outcome(api) for _ in range(count)]


def test_faults_are_reproducible_with_seed(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    kinds = ("html_502", "html_503", "rate_limited", "drop")
    first = outcomes(start_emulator(fault_rate=0.5, fault_kinds=kinds, seed=7), api_for, 40)
    again = outcomes(start_emulator(fault_rate=0.5, fault_kinds=kinds, seed=7), api_for, 40)
    other = outcomes(start_emulator(fault_rate=0.5, fault_kinds=kinds, seed=8), api_for, 40)
    assert first == again
    assert first != other
    assert set(first) == {"200", "502", "503", "429", "dropped"}


def test_fault_rate_is_roughly_honoured(start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]) -> None:
    emulator = start_emulator(fault_rate=0.25, fault_kinds=("html_503",), seed=1)
    seen = outcomes(emulator, api_for, 100)
    assert 10 <= seen.count("503") <= 45
    assert emulator.fault_counts == {"html_503": seen.count("503")}
    assert emulator.request_count == 100


def test_zero_fault_rate_never_faults(start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]) -> None:
    emulator = start_emulator(fault_rate=0.0, seed=3)
    assert set(outcomes(emulator, api_for, 30)) == {"200"}
    assert emulator.fault_counts == {}


@pytest.mark.parametrize(("kind", "status", "title"), [("html_502", 502, "502 Bad Gateway"), ("html_503", 503, "503")])
def test_html_faults_are_edge_html_pages(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], kind: str, status: int, title: str
) -> None:
    response = api_for(start_emulator(fault_rate=1.0, fault_kinds=(kind,))).request("GET")
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert f"<title>{title}" in response.text
    assert "cloudflare" in response.text


def test_rate_limited_fault_is_971_with_retry_after_1(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    response = api_for(start_emulator(fault_rate=1.0, fault_kinds=("rate_limited",))).request("GET")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["errors"] == [
        {"code": 971, "message": "Please wait and consider throttling your request speed"}
    ]


def test_slow_fault_delays_then_answers_normally(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    api = api_for(start_emulator(fault_rate=1.0, fault_kinds=("slow",), slow_seconds=0.2))
    started = time.monotonic()
    response = api.request("GET")
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_dropped_connection_keeps_server_alive(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(fault_rate=0.5, fault_kinds=("drop",), seed=11)
    api = api_for(emulator)
    seen = [outcome(api) for _ in range(20)]
    assert "dropped" in seen and "200" in seen
    # A drop is a closed connection, not a timeout: the client notices at once.
    emulator.set_faults(1.0)
    with pytest.raises(requests.ConnectionError):
        api.request("GET", timeout=2)
    emulator.set_faults(0.0)
    assert api.request("GET").status_code == 200
    assert emulator.request_count == 22


@pytest.mark.parametrize("kind", [kind for kind in FAULT_KINDS if kind != "slow"])
def test_faulted_write_does_not_apply(emulator: Emulator, api: Api, kind: str) -> None:
    list_id = api.create_list()["id"]
    emulator.set_faults(1.0, [kind])
    try:
        response = api.request("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}])
        assert response.status_code != 200
    except requests.ConnectionError:
        assert kind == "drop"
    emulator.set_faults(0.0)
    assert emulator.operations == []
    # The account has no pending operation: nothing was accepted.
    assert api.request("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}]).status_code == 200


def test_faults_come_before_auth_and_routing(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(fault_rate=1.0, fault_kinds=("html_502",))
    assert api_for(emulator, headers={}).request("GET", account="bad").status_code == 502


def test_set_faults_validates_like_the_config(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="fault_rate"):
        emulator.set_faults(1.5)
    with pytest.raises(ValueError, match="unknown fault kinds"):
        emulator.set_faults(0.5, ["html_500"])
