"""bulk_operations: which operations a caller means, one check, a wait for one, and many waits in one thread, soonest
due first, each on its own schedule, under one deadline."""

from __future__ import annotations

import json
import random

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import RateBudget
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    COMPLETED,
    ERROR,
    FAILED,
    MAX_OPERATIONS,
    TIMEOUT,
    OperationRef,
    get_bulk_operation,
    operation_refs,
    parse_refs,
    resolve_operation,
    resolve_operations,
    wait_for_all,
    wait_for_bulk_operation,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    BatchWaitError,
    NotFoundError,
    OperationFailedError,
    RateLimitedError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_FIRST_INTERVAL,
    DEFAULT_JITTER,
    DEFAULT_MULTIPLIER,
    FIRST_ANSWER_GRACE,
    WaitPolicy,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope, operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import (
    ACCOUNT_ID,
    BASE_URL,
    OPERATION_ID,
    OPERATION_URL,
    TOKEN,
)

DONE = operation("completed", completed="2024-05-01T12:00:00+02:00")
OTHER_ACCOUNT = "0" * 31 + "1"


def add(api, result=None, status=200, body=None, headers=None, url=OPERATION_URL):
    if body is None:
        body = json.dumps(envelope(result if result is not None else operation("pending")))
    api.add(responses.GET, url, body=body, status=status, headers=headers or {})


def url_of(operation_id):
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{operation_id}"


@pytest.fixture
def fake_client(clock):
    def make(**kwargs):
        return open_client(TOKEN, environ={}, clock=clock, rng=random.Random(0), **kwargs)

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


# --- a wait for many -----------------------------------------------------------------------------------------

OPERATIONS = [f"{index:032x}" for index in range(1, 6)]


def url(operation_id: str) -> str:
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{operation_id}"


def client_for(clock, budget=None):
    return CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0), budget=budget)


def refs(*operation_ids: str) -> list[OperationRef]:
    return [OperationRef(ACCOUNT_ID, operation_id) for operation_id in operation_ids]


def finishes_after(api, operation_id: str, checks: int, status: str = "completed") -> None:
    for _check in range(checks - 1):
        api.add(responses.GET, url(operation_id), json=envelope(operation("running", operation_id)))
    extra = {"completed": "2024-05-01T08:00:00Z"}
    if status == "failed":
        extra["error"] = "This list is at the maximum number of items"
    api.add(responses.GET, url(operation_id), json=envelope(operation(status, operation_id, **extra)))


def test_every_operation_gets_its_outcome_in_the_order_they_finish(api, clock):
    finishes_after(api, OPERATIONS[0], 3)
    finishes_after(api, OPERATIONS[1], 1)
    finishes_after(api, OPERATIONS[2], 2, "failed")
    seen = []
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:3]), on_result=seen.append)
    assert [(r.ref.operation_id, r.outcome) for r in results] == [
        (OPERATIONS[1], COMPLETED),
        (OPERATIONS[2], FAILED),
        (OPERATIONS[0], COMPLETED),
    ]
    assert seen == results
    assert "maximum number of items" in str(results[1].error)
    assert [r.checks for r in results] == [1, 2, 3]


def test_each_operation_keeps_its_own_backoff(api, clock):
    finishes_after(api, OPERATIONS[0], 4)
    finishes_after(api, OPERATIONS[1], 4)
    policy = WaitPolicy(first_interval=1.0, multiplier=2.0, jitter=0.0)
    wait_for_many(client_for(clock), refs(*OPERATIONS[:2]), policy)
    # Both start at once and each checks at 0, 1, 3 and 7 s: 8 checks, and the fake clock ends at 7 s.
    assert len(api.calls) == 8
    assert clock.elapsed == pytest.approx(7.0)


def test_one_deadline_for_all_times_out_the_unfinished_ones_with_their_last_status(api, clock):
    finishes_after(api, OPERATIONS[0], 1)
    api.add(responses.GET, url(OPERATIONS[1]), json=envelope(operation("pending", OPERATIONS[1])))
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:2]), WaitPolicy(timeout=20))
    outcomes = {r.ref.operation_id: r for r in results}
    assert outcomes[OPERATIONS[0]].outcome == COMPLETED
    assert outcomes[OPERATIONS[1]].outcome == TIMEOUT
    assert outcomes[OPERATIONS[1]].facts.status == "pending"
    assert clock.elapsed <= 20 + 1e-9


def test_an_operation_cloudflare_does_not_know_ends_alone_with_its_error(api, clock):
    api.add(
        responses.GET,
        url(OPERATIONS[0]),
        status=404,
        json=envelope(None, success=False, errors=[{"code": 10006, "message": "not found"}]),
    )
    finishes_after(api, OPERATIONS[1], 2)
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:2]))
    assert [(r.ref.operation_id, r.outcome) for r in results] == [(OPERATIONS[0], ERROR), (OPERATIONS[1], COMPLETED)]


def test_transient_trouble_is_retried_on_the_operations_schedule(api, clock):
    api.add(responses.GET, url(OPERATIONS[0]), status=503, body="<html>503</html>")
    finishes_after(api, OPERATIONS[0], 1)
    client = CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0), retries=0)
    [result] = wait_for_many(client, refs(OPERATIONS[0]))
    assert result.outcome == COMPLETED and result.checks == 2


def completes_at(api, clock, operation_id: str, moment: float) -> None:
    def answer(_request):
        status = "completed" if clock() >= moment else "running"
        body = operation(
            status, operation_id, **({"completed": "2024-05-01T08:00:00Z"} if status == "completed" else {})
        )
        return 200, {}, json.dumps(envelope(body))

    api.add_callback(responses.GET, url(operation_id), callback=answer)


def test_when_the_budget_limits_the_pace_each_operation_needs_fewer_checks(api, clock):
    ten = [f"{index:032x}" for index in range(1, 11)]
    for operation_id in ten:
        completes_at(api, clock, operation_id, clock() + 6.0)
    free = wait_for_many(client_for(clock), refs(*ten), WaitPolicy(jitter=0.0))
    for operation_id in ten:
        completes_at(api, clock, operation_id, clock() + 6.0)
    slow = RateBudget(2.0, 1, clock=clock, sleep=clock.sleep)  # one request every 0.5 s
    limited = wait_for_many(client_for(clock, slow), refs(*ten), WaitPolicy(jitter=0.0))
    assert all(r.outcome == COMPLETED for r in free + limited)
    assert sum(r.checks for r in limited) < sum(r.checks for r in free)


def test_references_are_validated_and_duplicates_waited_on_once():
    assert parse_refs([(ACCOUNT_ID, OPERATIONS[0]), (ACCOUNT_ID, OPERATIONS[0])]) == refs(OPERATIONS[0])
    with pytest.raises(ValidationError):
        parse_refs([(ACCOUNT_ID, "../x")])


def no_default_account() -> str:
    raise AssertionError("the default account is asked for only by an entry that names none")


def test_operations_are_named_by_ids_objects_or_what_a_write_returned():
    facts = {"id": OPERATIONS[2], "status": "completed", "finished": True, "succeeded": True}
    entries = [
        OPERATIONS[0],
        f"{OTHER_ACCOUNT.upper()}:{OPERATIONS[1]}",
        facts,  # a write's bulk_operation
        {"changed": True, "bulk_operation": dict(facts, id=OPERATIONS[3])},  # a whole registered result
        {"operation_id": OPERATIONS[4], "account_id": OTHER_ACCOUNT},
    ]
    assert operation_refs(entries, lambda: ACCOUNT_ID) == [
        OperationRef(ACCOUNT_ID, OPERATIONS[0]),
        OperationRef(OTHER_ACCOUNT, OPERATIONS[1]),
        OperationRef(ACCOUNT_ID, OPERATIONS[2]),
        OperationRef(ACCOUNT_ID, OPERATIONS[3]),
        OperationRef(OTHER_ACCOUNT, OPERATIONS[4]),
    ]


def test_a_write_that_wrote_nothing_is_skipped_and_the_default_account_is_read_only_when_needed():
    entries = [None, {"changed": False, "bulk_operation": None}, f"{ACCOUNT_ID}:{OPERATIONS[0]}"]
    assert operation_refs(entries, no_default_account) == refs(OPERATIONS[0])


@pytest.mark.parametrize("entry", [42, ["a"], {"status": "completed"}, True], ids=repr)
def test_an_entry_that_names_no_operation_is_refused_naming_its_index(entry):
    with pytest.raises(
        ValidationError, match=r"^Invalid operations\[1\]: expected operation_id or account_id:operation_id"
    ):
        operation_refs([OPERATIONS[0], entry], lambda: ACCOUNT_ID)


def answers_after(clock, operation_id: str, seconds: float):
    """A server that takes ``seconds`` to say the operation is still running."""

    def answer(_request):
        clock.advance(seconds)
        return 200, {}, json.dumps(envelope(operation("running", operation_id)))

    return answer


def test_operations_not_reached_by_the_deadline_end_with_it_whatever_the_server_does(api, clock):
    # Each check takes 5 s; ten operations under a 10 s deadline end by the deadline, its grace and one check,
    # not after ten slow checks.
    many = [f"{index:032x}" for index in range(1, 11)]
    for operation_id in many:
        api.add_callback(responses.GET, url(operation_id), callback=answers_after(clock, operation_id, 5.0))
    results = wait_for_many(client_for(clock), refs(*many), WaitPolicy(timeout=10))
    assert {r.outcome for r in results} == {TIMEOUT}
    assert clock.elapsed <= 10 + 1 + 5


def test_a_batch_takes_up_to_its_bound_of_operations_and_refuses_more_before_any_check():
    pairs = [(ACCOUNT_ID, f"{number:032x}") for number in range(MAX_OPERATIONS)]
    assert len(parse_refs(pairs)) == MAX_OPERATIONS
    with pytest.raises(ValidationError, match=f"{MAX_OPERATIONS + 1} operations given; one wait takes at most"):
        parse_refs([*pairs, (ACCOUNT_ID, "one-more")])


# --- a wait for one and a wait for many end alike ------------------------------------------------------------------


def test_an_unfinished_operation_times_out_with_the_same_message_waited_on_alone_or_with_others(api, clock):
    api.add(responses.GET, url(OPERATIONS[0]), json=envelope(operation("running", OPERATIONS[0])))
    policy = WaitPolicy(timeout=5, max_interval=1)
    with pytest.raises(WaitTimeoutError) as alone:
        wait_for_bulk_operation(client_for(clock), ACCOUNT_ID, OPERATIONS[0], policy)
    (together,) = wait_for_many(client_for(clock), refs(OPERATIONS[0]), policy)
    assert together.outcome == TIMEOUT
    assert str(together.error) == str(alone.value)
    assert str(alone.value).startswith(f"Bulk operation {OPERATIONS[0]} was still running after 5.0 s and ")
    assert str(alone.value).endswith("Wait longer, or check it again later with the same operation_id.")


def test_an_operation_never_answered_gives_up_after_the_first_answer_grace_alone_or_with_others(api, clock):
    api.add(responses.GET, url(OPERATIONS[0]), status=503, body="<html>503</html>")
    policy = WaitPolicy(timeout=600)
    with pytest.raises(TransportError):
        wait_for_bulk_operation(client_for(clock), ACCOUNT_ID, OPERATIONS[0], policy)
    alone = clock.elapsed
    (together,) = wait_for_many(client_for(clock), refs(OPERATIONS[0]), policy)
    assert together.outcome == ERROR
    assert isinstance(together.error, TransportError)
    assert FIRST_ANSWER_GRACE <= alone < FIRST_ANSWER_GRACE + policy.max_interval + 60
    assert FIRST_ANSWER_GRACE <= together.elapsed < FIRST_ANSWER_GRACE + policy.max_interval + 60


def test_a_failed_operation_has_the_same_error_waited_on_alone_or_with_others(api, clock):
    finishes_after(api, OPERATIONS[0], 1, "failed")
    with pytest.raises(OperationFailedError) as alone:
        wait_for_bulk_operation(client_for(clock), ACCOUNT_ID, OPERATIONS[0], WaitPolicy(timeout=60))
    (together,) = wait_for_many(client_for(clock), refs(OPERATIONS[0]), WaitPolicy(timeout=60))
    assert together.outcome == FAILED
    assert str(together.error) == str(alone.value)
    assert (together.error.checks, together.error.facts) == (alone.value.checks, alone.value.facts)
