"""bulk_operations: which operations a caller means, one check, a wait for one, and a wait for all in order."""

from __future__ import annotations

import json
import random

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import COMPLETED, FAILED, OperationRef
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    get_bulk_operation,
    resolve_operation,
    resolve_operations,
    wait_for_all,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    BatchWaitError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_FIRST_INTERVAL,
    DEFAULT_JITTER,
    DEFAULT_MULTIPLIER,
    WaitPolicy,
)
from core_testkit import ACCOUNT_ID, BASE_URL, OPERATION_ID, OPERATION_URL, TOKEN, envelope, operation

DONE = operation("completed", completed="2024-05-01T12:00:00+02:00")
OTHER_ACCOUNT = "0123456789abcdef0123456789abcdef"


def add(api, result=None, status=200, body=None, headers=None, url=OPERATION_URL):
    if body is None:
        body = json.dumps(envelope(result if result is not None else operation("pending")))
    api.add(responses.GET, url, body=body, status=status, headers=headers or {})


def url_of(operation_id):
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{operation_id}"


@pytest.fixture
def fake_client(clock):
    def make(**kwargs):
        return open_client(TOKEN, environ={}, clock=clock, sleep=clock.sleep, rng=random.Random(0), **kwargs)

    return make


# --- which operations ---------------------------------------------------------------------------


def test_resolve_operation_takes_the_account_from_the_environment_when_none_is_given():
    environ = {"CLOUDFLARE_ACCOUNT_ID": ACCOUNT_ID.upper()}
    assert resolve_operation(None, OPERATION_ID, environ) == OperationRef(ACCOUNT_ID, OPERATION_ID)
    assert resolve_operation(OTHER_ACCOUNT, OPERATION_ID, environ) == OperationRef(OTHER_ACCOUNT, OPERATION_ID)


@pytest.mark.parametrize(
    ("account_id", "operation_id", "parameter"),
    [(ACCOUNT_ID, "../x", "operation_id"), ("../x", OPERATION_ID, "account_id"), (None, OPERATION_ID, "account_id")],
)
def test_resolve_operation_refuses_bad_or_missing_ids_naming_them(account_id, operation_id, parameter):
    with pytest.raises(ValidationError) as info:
        resolve_operation(account_id, operation_id, environ={})
    assert info.value.parameter == parameter


def test_resolve_operations_falls_back_on_the_account_given_then_the_environment():
    entries = [OPERATION_ID, f"{OTHER_ACCOUNT}:{OPERATION_ID}", {"bulk_operation": None}]
    given = resolve_operations(entries, OTHER_ACCOUNT, environ={})
    assert given == [OperationRef(OTHER_ACCOUNT, OPERATION_ID)]  # the same operation twice is one
    from_environment = resolve_operations(entries[:1], None, environ={"CLOUDFLARE_ACCOUNT_ID": ACCOUNT_ID})
    assert from_environment == [OperationRef(ACCOUNT_ID, OPERATION_ID)]


def test_resolve_operations_needs_no_account_when_every_entry_names_one():
    assert resolve_operations([f"{ACCOUNT_ID}:{OPERATION_ID}"], None, environ={}) == [
        OperationRef(ACCOUNT_ID, OPERATION_ID)
    ]
    with pytest.raises(ValidationError) as info:
        resolve_operations([OPERATION_ID], None, environ={})
    assert info.value.parameter == "account_id"


# --- one check, one wait ------------------------------------------------------------------------


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


# --- a wait for all -----------------------------------------------------------------------------


def test_wait_for_all_returns_every_result_in_the_order_given(api, fake_client):
    first, second = f"{1:032x}", f"{2:032x}"
    add(api, operation("running", first), url=url_of(first))
    add(api, operation("completed", first), url=url_of(first))
    add(api, operation("completed", second), url=url_of(second))
    refs = [OperationRef(ACCOUNT_ID, first), OperationRef(ACCOUNT_ID, second)]
    with fake_client() as c:
        results = wait_for_all(c, refs, WaitPolicy(timeout=60))
    assert [(result.ref.operation_id, result.outcome) for result in results] == [
        (first, COMPLETED),
        (second, COMPLETED),
    ]


def test_wait_for_all_raises_with_every_result_when_one_did_not_complete(api, fake_client):
    first, second = f"{1:032x}", f"{2:032x}"
    add(api, operation("failed", first, error="too many items"), url=url_of(first))
    add(api, operation("completed", second), url=url_of(second))
    refs = [OperationRef(ACCOUNT_ID, first), OperationRef(ACCOUNT_ID, second)]
    with fake_client() as c:
        with pytest.raises(BatchWaitError) as info:
            wait_for_all(c, refs, WaitPolicy(timeout=60))
    assert str(info.value) == f"1 of 2 bulk operations did not complete: Bulk operation {first} failed: too many items"
    assert [(entry["operation_id"], entry["outcome"]) for entry in info.value.results] == [
        (first, FAILED),
        (second, COMPLETED),
    ]
