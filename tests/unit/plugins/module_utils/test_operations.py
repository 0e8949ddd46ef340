"""operations: the calls adapters make, end to end over `responses`."""

from __future__ import annotations

import json
import random

import pytest
import requests
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import operations
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.argspec import (
    BULK_OPERATION_ARGUMENT_SPEC,
    CONNECTION_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT, CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AuthenticationError,
    NotFoundError,
    OperationFailedError,
    RateLimitedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.operations import (
    bulk_operation_info,
    get_bulk_operation,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import DeadlineRetry
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_FIRST_INTERVAL,
    DEFAULT_JITTER,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_MULTIPLIER,
    DEFAULT_WAIT_TIMEOUT,
    WaitPolicy,
)
from core_testkit import (
    ACCOUNT_ID,
    API_KEY,
    BASE_URL,
    EMAIL,
    OPERATION_ID,
    OPERATION_URL,
    TOKEN,
    envelope,
    operation,
)

FACT_KEYS = {"id", "status", "finished", "succeeded", "completed_at", "error"}
DONE = operation("completed", completed="2024-05-01T12:00:00+02:00")


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def add(api, result=None, status=200, body=None, headers=None, url=OPERATION_URL):
    if body is None:
        body = json.dumps(envelope(result if result is not None else operation("pending")))
    api.add(responses.GET, url, body=body, status=status, headers=headers or {})


def params(**extra):
    return {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "api_token": TOKEN, **extra}


@pytest.fixture
def fake_client(clock):
    def make(**kwargs):
        return open_client(TOKEN, environ={}, clock=clock, sleep=clock.sleep, rng=random.Random(0), **kwargs)

    return make


# --- open_client ----------------------------------------------------------------------------------


def test_open_client_from_explicit_settings(clock):
    with open_client(TOKEN, base_url="http://127.0.0.1:8787/v4", timeout=5, validate_certs=False, environ={}) as c:
        assert isinstance(c, CloudflareClient)
        assert c.credentials.api_token == TOKEN
        assert c.base_url == "http://127.0.0.1:8787/v4"
        assert c.timeout == 5
        assert c.validate_certs is False


def test_open_client_falls_back_to_the_environment():
    environ = {"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": API_KEY, "CLOUDFLARE_BASE_URL": "https://cf.example"}
    with open_client(environ=environ) as c:
        assert (c.credentials.email, c.credentials.api_key) == (EMAIL, API_KEY)
        assert c.base_url == "https://cf.example"


def test_open_client_passes_clock_sleep_rng_and_session(clock):
    rng = random.Random(1)
    session = requests.Session()
    with open_client(TOKEN, environ={}, session=session, clock=clock, sleep=clock.sleep, rng=rng) as c:
        assert (c.clock, c.sleep, c.rng, c._session) == (clock, clock.sleep, rng, session)


def test_open_client_without_credentials_is_a_validation_error():
    with pytest.raises(ValidationError, match="no Cloudflare credentials"):
        open_client(environ={})


# --- get_bulk_operation / wait_for_bulk_operation -------------------------------------------------


def test_get_bulk_operation_checks_once_and_reports_any_status(api, fake_client):
    add(api, operation("running"))
    with fake_client() as c:
        assert get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID) == BulkOperationFacts(id=OPERATION_ID, status="running")
    assert len(api.calls) == 1


def test_wait_for_bulk_operation_polls_with_the_client_clock_and_sleep(api, fake_client, clock):
    add(api, operation("pending"))
    add(api, operation("running"))
    add(api, DONE)
    progress = []
    with fake_client() as c:
        outcome = wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=60), progress.append)
    assert outcome.facts.completed_at == "2024-05-01T10:00:00Z"
    assert outcome.checks == 3
    assert len(api.calls) == 3
    assert len(clock.sleeps) == 2
    first = DEFAULT_FIRST_INTERVAL
    assert (1 - DEFAULT_JITTER) * first <= clock.sleeps[0] <= first
    assert (1 - DEFAULT_JITTER) * first * DEFAULT_MULTIPLIER <= clock.sleeps[1] <= first * DEFAULT_MULTIPLIER
    assert outcome.elapsed == pytest.approx(sum(clock.sleeps))
    assert [p.checks for p in progress] == [1, 2, 3]


def test_wait_for_bulk_operation_uses_the_default_policy(api, fake_client, clock):
    add(api, operation("pending"))
    add(api, DONE)
    with fake_client() as c:
        assert wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID).checks == 2
    assert len(clock.sleeps) == 1


def test_wait_for_bulk_operation_times_out_on_the_fake_clock(api, fake_client, clock):
    add(api, operation("running"))
    with fake_client() as c:
        with pytest.raises(WaitTimeoutError) as info:
            wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=120, max_interval=30))
    assert sum(clock.sleeps) == pytest.approx(120)
    assert info.value.checks == len(api.calls)
    assert info.value.facts.status == "running"


def test_wait_gives_the_client_its_deadline_so_a_long_retry_after_ends_it(api, fake_client, clock):
    add(api, status=429, body="", headers={"Retry-After": "300"})
    add(api, DONE)
    with fake_client() as c:
        with pytest.raises(RateLimitedError) as info:
            wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=60))
    assert len(api.calls) == 1
    assert info.value.retry_after == 300
    assert info.value.checks == 1
    assert clock.sleeps == []


def test_wait_retries_transient_answers_through_the_client(api, fake_client):
    add(api, status=503, body="<html>503</html>")
    add(api, DONE)
    with fake_client() as c:
        assert wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=60)).checks == 1
    assert len(api.calls) == 2


def test_wait_stops_at_once_on_not_found(api, fake_client, clock):
    add(api, status=404, body=json.dumps(envelope(None, success=False, errors=[{"code": 1, "message": "nope"}])))
    with fake_client() as c:
        with pytest.raises(NotFoundError):
            wait_for_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=60))
    assert len(api.calls) == 1
    assert clock.sleeps == []


# --- bulk_operation_info: what the Ansible module returns -----------------------------------------


def test_info_without_wait_returns_the_six_facts(api):
    add(api, operation("running"))
    result = bulk_operation_info(params(), environ={})
    assert result == {
        "bulk_operation": {
            "id": OPERATION_ID,
            "status": "running",
            "finished": False,
            "succeeded": False,
            "completed_at": None,
            "error": None,
        }
    }
    assert len(api.calls) == 1


def test_info_without_wait_reports_failed_without_raising(api):
    add(api, operation("failed", completed="2024-05-01T12:00:00Z", error="too many items"))
    facts = bulk_operation_info(params(wait=False), environ={})["bulk_operation"]
    assert set(facts) == FACT_KEYS
    assert (facts["status"], facts["finished"], facts["succeeded"]) == ("failed", True, False)
    assert facts["error"] == "too many items"


def test_info_with_wait_returns_facts_checks_and_elapsed(api):
    add(api, DONE)
    result = bulk_operation_info(params(wait=True, wait_timeout=30), environ={})
    assert set(result) == {"bulk_operation", "checks", "elapsed"}
    assert set(result["bulk_operation"]) == FACT_KEYS
    assert result["bulk_operation"]["completed_at"] == "2024-05-01T10:00:00Z"
    assert result["bulk_operation"]["succeeded"] is True
    assert result["checks"] == 1
    assert 0 <= result["elapsed"] < 5
    assert result["elapsed"] == round(result["elapsed"], 3)


def test_info_with_wait_raises_operation_failed(api):
    add(api, operation("failed", error="bad item"))
    with pytest.raises(OperationFailedError, match="bad item") as info:
        bulk_operation_info(params(wait=True), environ={})
    assert info.value.details()["bulk_operation"]["status"] == "failed"


def test_info_with_wait_timeout_zero_checks_once(api):
    add(api, operation("pending"))
    with pytest.raises(WaitTimeoutError) as info:
        bulk_operation_info(params(wait=True, wait_timeout=0), environ={})
    assert info.value.checks == 1
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("extra", "timeout", "max_interval"),
    [
        ({}, DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_INTERVAL),
        ({"wait_timeout": None, "wait_max_interval": None}, DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_INTERVAL),
        ({"wait_timeout": 42, "wait_max_interval": 5}, 42.0, 5.0),
        ({"wait_timeout": "7.5", "wait_max_interval": "2"}, 7.5, 2.0),
    ],
)
def test_info_builds_the_wait_policy_from_params(api, monkeypatch, extra, timeout, max_interval):
    add(api, DONE)
    seen = []
    real = operations.wait_for_bulk_operation

    def spy(client, account_id, operation_id, policy=None, on_progress=None):
        seen.append(policy)
        return real(client, account_id, operation_id, policy, on_progress)

    monkeypatch.setattr(operations, "wait_for_bulk_operation", spy)
    bulk_operation_info(params(wait=True, **extra), environ={})
    assert (seen[0].timeout, seen[0].max_interval) == (timeout, max_interval)


def test_info_uses_credentials_and_base_url_from_the_environment(api):
    add(api, operation("pending"), url=OPERATION_URL.replace(BASE_URL, "https://cf.example/v4"))
    environ = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": "https://cf.example/v4"}
    bulk_operation_info({"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID}, environ=environ)
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_info_sends_email_and_key(api):
    add(api, operation("pending"))
    p = {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "account_email": EMAIL, "account_api_key": API_KEY}
    bulk_operation_info(p, environ={})
    assert api.calls[0].request.headers["X-Auth-Key"] == API_KEY


@pytest.mark.parametrize(("given", "expected"), [(None, DEFAULT_TIMEOUT), (7, 7)])
def test_info_passes_the_request_timeout(api, given, expected):
    add(api, operation("pending"))
    bulk_operation_info(params(timeout=given), environ={})
    assert api.calls[0].request.req_kwargs["timeout"][1] == expected


@pytest.mark.parametrize(
    ("extra", "verified"),
    [
        ({}, True),
        ({"validate_certs": True}, True),
        ({"validate_certs": None}, True),
        ({"validate_certs": False}, False),
    ],
)
def test_info_verifies_tls_unless_told_not_to(api, extra, verified):
    add(api, operation("pending"))
    bulk_operation_info(params(**extra), environ={})
    verify = api.calls[0].request.req_kwargs["verify"]
    assert (verify is not False) is verified


def test_info_uses_a_given_session(api):
    add(api, operation("pending"))
    session = requests.Session()
    bulk_operation_info(params(), environ={}, session=session)
    assert isinstance(session.get_adapter(OPERATION_URL).max_retries, DeadlineRetry)


def test_info_auth_error_is_typed(api):
    add(api, status=403, body=json.dumps(envelope(None, success=False, errors=[{"code": 10000, "message": "no"}])))
    with pytest.raises(AuthenticationError):
        bulk_operation_info(params(), environ={})


def test_info_refuses_an_unsafe_base_url_before_any_request(api):
    with pytest.raises(ValidationError, match="base_url"):
        bulk_operation_info(params(base_url="http://api.cloudflare.com/client/v4"), environ={})
    assert len(api.calls) == 0


def test_argspec_names_the_params_bulk_operation_info_reads():
    names = set(CONNECTION_ARGUMENT_SPEC) | set(WAIT_ARGUMENT_SPEC) | set(BULK_OPERATION_ARGUMENT_SPEC)
    assert names == {
        "api_token",
        "account_email",
        "account_api_key",
        "base_url",
        "validate_certs",
        "timeout",
        "wait",
        "wait_timeout",
        "wait_max_interval",
        "account_id",
        "operation_id",
        "operations",
    }
    assert CONNECTION_ARGUMENT_SPEC["api_token"]["no_log"] is True
    assert CONNECTION_ARGUMENT_SPEC["account_api_key"]["no_log"] is True
