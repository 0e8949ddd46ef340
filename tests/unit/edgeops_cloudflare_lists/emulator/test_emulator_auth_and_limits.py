"""Authentication, routing errors and the per-credential rate limit, as the service answers them."""

from __future__ import annotations

from typing import Callable, Dict

import pytest
from emulator_testkit import ACCOUNT, Api, plain_session

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.fake_clock import FakeClock

LEGACY = {"X-Auth-Email": "user@example.com", "X-Auth-Key": "emulator-key"}


def test_bearer_token_is_accepted(api: Api) -> None:
    assert api.request("GET").status_code == 200


def test_legacy_email_and_key_are_accepted(emulator: Emulator, api_for: Callable[..., Api]) -> None:
    assert api_for(emulator, headers=LEGACY).request("GET").status_code == 200


def test_legacy_email_is_case_insensitive(emulator: Emulator, api_for: Callable[..., Api]) -> None:
    headers = {**LEGACY, "X-Auth-Email": "User@Example.com"}
    assert api_for(emulator, headers=headers).request("GET").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Email": "user@example.com"}, {"X-Auth-Key": "emulator-key"}])
def test_missing_credentials_get_9106(emulator: Emulator, api_for: Callable[..., Api], headers: Dict[str, str]) -> None:
    response = api_for(emulator, headers=headers).request("GET")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "errors": [{"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}],
        "messages": [],
        "result": None,
    }


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-the-token"},
        {"X-Auth-Email": "user@example.com", "X-Auth-Key": "wrong"},
        {"X-Auth-Email": "someone@example.com", "X-Auth-Key": "emulator-key"},
        {"Authorization": "Bearer t\u00f6ken"},
        {"X-Auth-Email": "\u00fcser@example.com", "X-Auth-Key": "emulator-key"},
    ],
)
def test_wrong_credentials_get_403_authentication_error(
    emulator: Emulator, api_for: Callable[..., Api], headers: Dict[str, str]
) -> None:
    response = api_for(emulator, headers=headers).request("GET")
    assert response.status_code == 403
    assert response.json()["errors"] == [{"code": 10000, "message": "Authentication error"}]


@pytest.mark.parametrize("value", ["emulator-token", "Basic abc", "Bearer", "Bearer a b"])
def test_malformed_authorization_header_gets_6003_with_chain(
    emulator: Emulator, api_for: Callable[..., Api], value: str
) -> None:
    response = api_for(emulator, headers={"Authorization": value}).request("GET")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": 6003,
            "message": "Invalid request headers",
            "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}],
        }
    ]


def test_disabled_scheme_is_refused(start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]) -> None:
    emulator = start_emulator(email=None, api_key=None)
    assert api_for(emulator, headers=LEGACY).request("GET").status_code == 403
    assert api_for(emulator).request("GET").status_code == 200


@pytest.mark.parametrize("account", ["xyz", "023E105F4ECEF8AD9CA31A8372D0C353", "0" * 31, "g" * 32])
def test_malformed_account_id_gets_7003_then_7000(api: Api, account: str) -> None:
    response = api.request("GET", account=account)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": 7003,
            "message": f"Could not route to /client/v4/accounts/{account}/rules/lists, "
            "perhaps your object identifier is invalid?",
        },
        {"code": 7000, "message": "No route for that URI"},
    ]


def test_routing_errors_come_before_authentication(emulator: Emulator) -> None:
    response = plain_session().get(f"{emulator.base_url}/accounts/bad/rules/lists", timeout=5)
    assert response.json()["errors"][0]["code"] == 7003


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/client/v4/nope"),
        ("GET", f"/client/v4/accounts/{ACCOUNT}/rules/lists/"),
        ("GET", f"/client/v4/accounts/{ACCOUNT}/rules"),
        ("PATCH", f"/client/v4/accounts/{ACCOUNT}/rules/lists"),
        ("POST", f"/client/v4/accounts/{ACCOUNT}/rules/lists/bulk_operations/abc"),
        ("GET", "/"),
    ],
)
def test_unknown_route_or_method_gets_7000(emulator: Emulator, method: str, path: str) -> None:
    origin = emulator.base_url.removesuffix("/client/v4")
    response = plain_session().request(method, origin + path, timeout=5)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["errors"] == [{"code": 7000, "message": "No route for that URI"}]


def test_rate_limit_returns_971_with_retry_after(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    api = api_for(start_emulator(rate_limit=3, rate_window_seconds=60))
    assert [api.request("GET").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.request("GET")
    assert refused.status_code == 429
    assert refused.json() == {
        "success": False,
        "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}],
        "messages": [],
        "result": None,
    }
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_rate_limit_window_slides_on_the_clock(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    api = api_for(start_emulator(clock=clock, rate_limit=2, rate_window_seconds=10))
    api.request("GET")
    clock.advance(4)
    api.request("GET")
    refused = api.request("GET")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "6"  # until the first request leaves the window
    clock.advance(6)
    assert api.request("GET").status_code == 200
    assert api.request("GET").status_code == 429


def test_rate_limit_is_per_credential(start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]) -> None:
    emulator = start_emulator(rate_limit=1, rate_window_seconds=60)
    token_api, legacy_api = api_for(emulator), api_for(emulator, headers=LEGACY)
    assert token_api.request("GET").status_code == 200
    assert token_api.request("GET").status_code == 429
    assert legacy_api.request("GET").status_code == 200


def test_unauthenticated_requests_do_not_use_the_quota(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(rate_limit=1, rate_window_seconds=60)
    anonymous = api_for(emulator, headers={})
    assert [anonymous.request("GET").status_code for _ in range(3)] == [400, 400, 400]
    assert api_for(emulator).request("GET").status_code == 200


def test_with_no_credential_configured_the_well_known_ones_work(emulator: Emulator) -> None:
    assert emulator.config.token == "emulator-token"
    assert (emulator.config.email, emulator.config.api_key) == ("user@example.com", "emulator-key")


def test_a_configured_token_disables_the_well_known_legacy_pair(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(token="my-token", email=None, api_key=None)
    assert api_for(emulator, headers=LEGACY).request("GET").status_code == 403
    assert api_for(emulator, headers={"Authorization": "Bearer my-token"}).request("GET").status_code == 200
    assert EmulatorConfig(token="my-token").email is None


def test_a_configured_legacy_pair_disables_the_well_known_token(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(token=None, email="ops@example.com", api_key="k3y")
    assert api_for(emulator, headers={"Authorization": "Bearer emulator-token"}).request("GET").status_code == 403
    headers = {"X-Auth-Email": "ops@example.com", "X-Auth-Key": "k3y"}
    assert api_for(emulator, headers=headers).request("GET").status_code == 200


def test_every_authenticated_answer_carries_the_draft_ratelimit_headers(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    api = api_for(start_emulator(clock=clock, rate_limit=3, rate_window_seconds=10))
    first = api.request("GET")
    assert first.headers["Ratelimit"] == '"default";r=2;t=10'
    assert first.headers["Ratelimit-Policy"] == '"default";q=3;w=10'
    clock.advance(4)
    missing = api.request("GET", "/" + "0" * 32)
    assert missing.status_code == 404
    assert missing.headers["Ratelimit"] == '"default";r=1;t=6'  # the first request leaves the window in 6 s
    api.request("GET")
    refused = api.request("GET")
    assert refused.status_code == 429
    assert refused.headers["Ratelimit"] == '"default";r=0;t=6'
    assert refused.headers["Retry-After"] == "6"


def test_answers_before_authentication_carry_no_ratelimit_headers(
    emulator: Emulator, api_for: Callable[..., Api]
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = api_for(emulator, headers=headers).request("GET")
        assert "Ratelimit" not in response.headers and "Ratelimit-Policy" not in response.headers


def test_the_policy_window_is_the_configured_window_in_whole_seconds(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    api = api_for(start_emulator(rate_limit=50, rate_window_seconds=0.5))
    assert api.request("GET").headers["Ratelimit-Policy"] == '"default";q=50;w=1'
    assert api_for(start_emulator()).request("GET").headers["Ratelimit-Policy"] == '"default";q=1200;w=300'


def test_429s_are_counted_by_kind(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api], clock: FakeClock
) -> None:
    emulator = start_emulator(
        clock=clock, rate_limit=4, rate_window_seconds=60, pending_seconds=10, write_quota_requests=1
    )
    api = api_for(emulator)
    list_id = api.create_list()["id"]
    api.write("POST", list_id, [])
    assert api.request("POST", f"/{list_id}/items", json=[]).status_code == 429  # pending operation
    clock.advance(30)
    assert api.request("POST", f"/{list_id}/items", json=[]).status_code == 429  # the write quota
    assert api.request("GET").status_code == 429  # the rate limit
    emulator.set_faults(1.0, ["rate_limited"])
    assert api.request("GET").status_code == 429  # injected
    emulator.set_faults(0.0)
    assert emulator.throttled_counts == {"rate_limit": 1, "operation_pending": 1, "write_quota": 1, "fault": 1}
    stats = emulator.stats()
    assert stats["requests"] == 6
    assert stats["responses"] == {"200": 2, "429": 4}
    assert stats["faults"] == {"rate_limited": 1}
    assert stats["internal_errors"] == 0


def test_the_stats_endpoint_needs_no_auth_and_is_neither_counted_nor_faulted(
    start_emulator: Callable[..., Emulator], api_for: Callable[..., Api]
) -> None:
    emulator = start_emulator(fault_rate=1.0, fault_kinds=("html_502",))
    api_for(emulator).request("GET")
    for _ in range(2):
        response = plain_session().get(emulator.stats_url, timeout=5)
        assert response.status_code == 200
        assert response.json() == emulator.stats()
    assert emulator.stats()["requests"] == 1
    assert emulator.stats()["responses"] == {"502": 1}
    assert emulator.stats_url == emulator.base_url.removesuffix("/client/v4") + "/_emulator/stats"
