"""waiter: the schedule and the loop, over scripted checks and a fake clock (no real sleeps)."""

from __future__ import annotations

import dataclasses
import random
from typing import Any, List, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import wait as wait_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import parse_bulk_operation
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AuthenticationError,
    EndpointError,
    MalformedResponseError,
    NotFoundError,
    OperationFailedError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_FIRST_INTERVAL,
    DEFAULT_JITTER,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_MULTIPLIER,
    DEFAULT_WAIT_TIMEOUT,
    FIRST_ANSWER_GRACE,
    TRANSIENT_ERRORS,
    PollState,
    WaitOutcome,
    WaitPolicy,
    WaitProgress,
    decide,
    wait_until_finished,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID, WHAT

PENDING = BulkOperationFacts(id=OPERATION_ID, status="pending")
RUNNING = BulkOperationFacts(id=OPERATION_ID, status="running")
COMPLETED = BulkOperationFacts(id=OPERATION_ID, status="completed", completed_at="2024-05-01T10:00:00Z")
FAILED = BulkOperationFacts(
    id=OPERATION_ID, status="failed", completed_at="2024-05-01T10:00:00Z", error="list item limit reached"
)
NO_JITTER = {"jitter": 0.0}


class Script:
    """A check that answers from a script (facts, or an exception to raise); the last step repeats.

    ``cost`` seconds of simulated time pass during each check, like a real request would take.
    """

    def __init__(self, clock, *steps: Any, cost: float = 0.0) -> None:
        self.clock = clock
        self.steps = list(steps)
        self.cost = cost
        self.calls: List[Tuple[float, float]] = []  # (time of the check, deadline it was given)

    def __call__(self, deadline: float) -> BulkOperationFacts:
        self.calls.append((self.clock(), deadline))
        self.clock.advance(self.cost)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, BaseException):
            raise step
        return step

    @property
    def times(self) -> List[float]:
        return [at - self.clock.start for at, _deadline in self.calls]


class FixedRng(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def wait(clock, check, rng=None, on_progress=None, **policy):
    return wait_until_finished(
        check,
        WaitPolicy(**policy),
        operation_id=OPERATION_ID,
        clock=clock,
        rng=rng if rng is not None else random.Random(0),
        on_progress=on_progress,
    )


# --- the schedule ---------------------------------------------------------------------------------


def test_first_check_is_immediate_and_gets_the_deadline(clock):
    check = Script(clock, COMPLETED)
    wait(clock, check, timeout=60)
    assert check.calls == [(clock.start, clock.start + 60)]
    assert clock.sleeps == []


def test_every_check_gets_the_same_deadline(clock):
    check = Script(clock, PENDING, RUNNING, COMPLETED)
    wait(clock, check, timeout=60)
    assert {deadline for _at, deadline in check.calls} == {clock.start + 60}


def test_delays_grow_from_first_interval_by_multiplier_to_the_cap(clock):
    check = Script(clock, *[PENDING] * 9, COMPLETED)
    outcome = wait(clock, check, timeout=1000, first_interval=0.5, multiplier=2, max_interval=8, **NO_JITTER)
    assert clock.sleeps == [0.5, 1, 2, 4, 8, 8, 8, 8, 8]
    assert outcome.checks == 10


def test_multiplier_one_keeps_a_fixed_interval(clock):
    check = Script(clock, *[RUNNING] * 4, COMPLETED)
    wait(clock, check, timeout=1000, first_interval=3, multiplier=1, max_interval=30, **NO_JITTER)
    assert clock.sleeps == [3, 3, 3, 3]


def test_first_interval_above_the_cap_is_capped(clock):
    check = Script(clock, PENDING, PENDING, COMPLETED)
    wait(clock, check, timeout=1000, first_interval=50, max_interval=10, **NO_JITTER)
    assert clock.sleeps == [10, 10]


def test_each_delay_is_shortened_by_at_most_the_jitter_fraction(clock):
    check = Script(clock, *[PENDING] * 40, COMPLETED)
    wait(
        clock,
        check,
        rng=random.Random(42),
        timeout=10_000,
        first_interval=1,
        multiplier=1.5,
        max_interval=20,
        jitter=0.2,
    )
    nominal = 1.0
    for slept in clock.sleeps:
        assert (1 - 0.2) * nominal <= slept <= nominal
        nominal = min(nominal * 1.5, 20)
    assert len(set(clock.sleeps)) > 10  # jitter actually varies the delays


@pytest.mark.parametrize(("draw", "factor"), [(0.0, 1.0), (0.5, 0.95), (0.999999, 0.9000001)])
def test_jitter_bounds_are_d_and_one_minus_jitter_times_d(clock, draw, factor):
    check = Script(clock, PENDING, PENDING, COMPLETED)
    wait(clock, check, rng=FixedRng(draw), timeout=100, first_interval=2, multiplier=2, max_interval=30, jitter=0.1)
    assert clock.sleeps == pytest.approx([2 * factor, 4 * factor])


def test_policy_delays_are_an_endless_capped_schedule():
    delays = WaitPolicy(first_interval=1, multiplier=3, max_interval=10, jitter=0).delays(random.Random(0))
    assert [next(delays) for _step in range(6)] == [1, 3, 9, 10, 10, 10]


def test_default_policy_values():
    policy = WaitPolicy()
    assert (policy.timeout, policy.first_interval, policy.multiplier, policy.max_interval, policy.jitter) == (
        DEFAULT_WAIT_TIMEOUT,
        DEFAULT_FIRST_INTERVAL,
        DEFAULT_MULTIPLIER,
        DEFAULT_MAX_INTERVAL,
        DEFAULT_JITTER,
    )
    assert DEFAULT_FIRST_INTERVAL <= DEFAULT_MAX_INTERVAL
    assert DEFAULT_MULTIPLIER >= 1
    assert 0 <= DEFAULT_JITTER < 1


def test_default_schedule_is_the_one_the_benchmark_chose():
    # benchmarks/waiter_schedules.py's exact search; the README, the doc fragments and the benchmark quote it.
    assert (DEFAULT_WAIT_TIMEOUT, DEFAULT_FIRST_INTERVAL, DEFAULT_MULTIPLIER, DEFAULT_MAX_INTERVAL, DEFAULT_JITTER) == (
        900,
        0.48,
        1.8,
        30,
        0.1,
    )


def test_default_pauses_without_jitter_grow_by_1_8_to_the_cap():
    delays = dataclasses.replace(WaitPolicy(), jitter=0).delays(random.Random(0))
    assert [next(delays) for _step in range(10)] == pytest.approx(
        [0.48, 0.864, 1.5552, 2.79936, 5.038848, 9.0699264, 16.32586752, 29.386561536, 30, 30]
    )


@pytest.mark.parametrize("variable", ["DOCUMENTATION", "WRITES"])
def test_wait_docs_quote_the_default_schedule(variable):
    text = " ".join(getattr(wait_fragment.ModuleDocFragment, variable).split())
    first, second, third = (DEFAULT_FIRST_INTERVAL * DEFAULT_MULTIPLIER**step for step in range(3))
    assert f"after about {first:.2g} s, {second:.2g} s, {third:.2g} s and so on" in text
    assert f"each pause {DEFAULT_MULTIPLIER:g} times the last" in text
    assert f"shortened at random by up to {DEFAULT_JITTER * 100:g} %" in text


# --- the deadline ---------------------------------------------------------------------------------


def test_never_sleeps_past_the_deadline_and_a_final_check_lands_on_it(clock):
    check = Script(clock, PENDING)
    with pytest.raises(WaitTimeoutError):
        wait(clock, check, timeout=20, first_interval=1, multiplier=2, max_interval=8, **NO_JITTER)
    assert clock.sleeps == [1, 2, 4, 8, 5]
    assert sum(clock.sleeps) == 20
    assert check.times == [0, 1, 3, 7, 15, 20]


def test_never_sleeps_past_the_deadline_with_jitter_and_slow_checks(clock):
    check = Script(clock, RUNNING, cost=0.7)
    with pytest.raises(WaitTimeoutError) as info:
        wait(clock, check, rng=random.Random(5), timeout=33.3, first_interval=0.5, max_interval=4)
    assert sum(clock.sleeps) <= 33.3
    assert all(at <= 33.3 + 1e-9 for at in check.times)
    assert check.times[-1] == pytest.approx(33.3)
    assert info.value.elapsed == pytest.approx(33.3 + 0.7)


def test_check_that_ends_after_the_deadline_is_the_last(clock):
    check = Script(clock, RUNNING, cost=12)
    with pytest.raises(WaitTimeoutError) as info:
        wait(clock, check, timeout=10)
    assert info.value.checks == 1
    assert clock.sleeps == []


def test_timeout_zero_checks_exactly_once(clock):
    check = Script(clock, PENDING)
    with pytest.raises(WaitTimeoutError) as info:
        wait(clock, check, timeout=0)
    assert len(check.calls) == 1
    assert info.value.checks == 1
    assert info.value.timeout == 0
    assert clock.sleeps == []


def test_timeout_zero_returns_an_already_finished_operation(clock):
    outcome = wait(clock, Script(clock, COMPLETED), timeout=0)
    assert outcome == WaitOutcome(facts=COMPLETED, checks=1, elapsed=0.0)


def test_timeout_zero_raises_the_transient_error_of_its_one_check(clock):
    check = Script(clock, TransportError("HTTP 503"))
    with pytest.raises(TransportError) as info:
        wait(clock, check, timeout=0)
    assert info.value.checks == 1
    assert len(check.calls) == 1


# --- outcomes -------------------------------------------------------------------------------------


def test_completed_returns_the_outcome_with_checks_and_elapsed(clock):
    check = Script(clock, PENDING, RUNNING, COMPLETED, cost=0.25)
    outcome = wait(clock, check, timeout=60, first_interval=1, multiplier=2, **NO_JITTER)
    assert outcome.facts == COMPLETED
    assert outcome.checks == 3
    assert outcome.elapsed == pytest.approx(1 + 2 + 3 * 0.25)
    assert outcome.elapsed == clock.elapsed


def test_failed_raises_operation_failed_error_with_facts_and_cloudflare_text(clock):
    check = Script(clock, PENDING, FAILED)
    with pytest.raises(OperationFailedError) as info:
        wait(clock, check, timeout=60, first_interval=1, **NO_JITTER)
    exc = info.value
    assert exc.facts == FAILED
    assert exc.checks == 2
    assert exc.elapsed == 1
    assert str(exc) == f"Bulk operation {OPERATION_ID} failed: list item limit reached"
    details = exc.details()
    assert details["error_type"] == "OperationFailedError"
    assert details["bulk_operation"]["error"] == "list item limit reached"
    assert details["bulk_operation"]["succeeded"] is False
    assert (details["checks"], details["elapsed"]) == (2, 1)


def test_failed_without_a_reason_says_so(clock):
    facts = BulkOperationFacts(id=OPERATION_ID, status="failed")
    with pytest.raises(OperationFailedError, match="Cloudflare gave no reason"):
        wait(clock, Script(clock, facts), timeout=60)


def test_timeout_raises_wait_timeout_error_with_the_last_facts(clock):
    check = Script(clock, PENDING, PENDING, RUNNING)
    with pytest.raises(WaitTimeoutError) as info:
        wait(clock, check, timeout=10, first_interval=1, multiplier=2, max_interval=4, **NO_JITTER)
    exc = info.value
    assert exc.facts == RUNNING
    assert exc.checks == len(check.calls) == 5
    assert exc.elapsed == 10
    assert exc.timeout == 10
    message = str(exc)
    assert (
        f"Bulk operation {OPERATION_ID} was still running after 10.0 s and 5 checks, at the end of a 10 s wait"
        in message
    )
    assert "Wait longer" in message
    details = exc.details()
    assert details["timeout"] == 10
    assert details["bulk_operation"]["status"] == "running"
    assert (details["checks"], details["elapsed"]) == (5, 10)


# --- errors ---------------------------------------------------------------------------------------


def test_unknown_status_from_the_parser_ends_the_wait_at_once(clock):
    results = iter([operation("pending"), operation("running"), operation("cancelled"), operation("completed")])
    checked = []

    def check(deadline):
        checked.append(clock())
        return parse_bulk_operation(next(results), OPERATION_ID, what=WHAT)

    with pytest.raises(UnexpectedStatusError) as info:
        wait(clock, check, timeout=600, first_interval=1, multiplier=2, **NO_JITTER)
    exc = info.value
    assert "'cancelled'" in str(exc)
    assert len(checked) == 3
    assert exc.checks == 3
    assert exc.facts == RUNNING
    assert exc.elapsed == 3
    assert clock.sleeps == [1, 2]


@pytest.mark.parametrize(
    "error",
    [
        AuthenticationError("HTTP 403", http_status=403),
        NotFoundError("HTTP 404", http_status=404),
        MalformedResponseError("not JSON", http_status=200),
        ValidationError("operation_id", "bad"),
    ],
    ids=type,
)
def test_non_transient_errors_end_the_wait_at_once(clock, error):
    check = Script(clock, PENDING, error, COMPLETED)
    with pytest.raises(type(error)) as info:
        wait(clock, check, timeout=600, first_interval=2, **NO_JITTER)
    assert info.value is error
    assert len(check.calls) == 2
    assert error.checks == 2
    assert error.elapsed == 2
    assert error.facts == PENDING
    assert clock.sleeps == [2]


def test_non_transient_error_on_the_first_check_has_no_facts(clock):
    error = AuthenticationError("HTTP 401", http_status=401)
    with pytest.raises(AuthenticationError):
        wait(clock, Script(clock, error), timeout=600)
    assert error.facts is None
    assert error.checks == 1
    assert error.details() == {"error_type": "AuthenticationError", "http_status": 401, "elapsed": 0.0, "checks": 1}


def test_error_that_already_has_facts_keeps_them(clock):
    own = BulkOperationFacts(id="other", status="running")
    error = NotFoundError("gone", facts=own)
    with pytest.raises(NotFoundError):
        wait(clock, Script(clock, PENDING, error), timeout=600, first_interval=1)
    assert error.facts is own
    assert error.checks == 2


def test_exceptions_that_are_not_ours_propagate_untouched(clock):
    error = KeyError("bug")
    with pytest.raises(KeyError):
        wait(clock, Script(clock, PENDING, error), timeout=600, first_interval=1)
    assert not hasattr(error, "checks")


def test_transient_errors_are_the_transport_and_rate_limit_errors():
    assert TRANSIENT_ERRORS == (TransportError, RateLimitedError)


def test_transient_errors_are_retried_on_the_schedule_then_success(clock):
    check = Script(
        clock,
        TransportError("connection refused"),
        PENDING,
        RateLimitedError("HTTP 429", http_status=429),
        TransportError("HTTP 503", http_status=503),
        COMPLETED,
    )
    outcome = wait(clock, check, timeout=600, first_interval=1, multiplier=2, **NO_JITTER)
    assert outcome.facts == COMPLETED
    assert outcome.checks == 5
    assert clock.sleeps == [1, 2, 4, 8]


@pytest.mark.parametrize(
    "error",
    [TransportError("HTTP 502", http_status=502), RateLimitedError("HTTP 429", http_status=429)],
    ids=type,
)
def test_transient_errors_until_the_deadline_raise_the_transient_error_with_context(clock, error):
    check = Script(clock, PENDING, error)
    with pytest.raises(type(error)) as info:
        wait(clock, check, timeout=10, first_interval=1, multiplier=2, **NO_JITTER)
    exc = info.value
    assert exc is error
    assert exc.facts == PENDING
    assert exc.checks == len(check.calls) == 5
    assert exc.elapsed == 10
    assert check.times == [0, 1, 3, 7, 10]
    assert sum(clock.sleeps) == 10


def test_transient_errors_from_the_first_check_on_have_no_facts(clock):
    with pytest.raises(TransportError) as info:
        wait(clock, Script(clock, TransportError("refused")), timeout=5, first_interval=1)
    assert info.value.facts is None
    assert info.value.elapsed == 5


def test_transient_errors_before_any_answer_stop_after_the_first_answer_grace(clock):
    check = Script(clock, TransportError("connection refused"))
    with pytest.raises(TransportError) as info:
        wait(clock, check, timeout=900, first_interval=1, multiplier=2, **NO_JITTER)
    # A wrong base_url fails within about a minute, not at the 900 s deadline.
    assert FIRST_ANSWER_GRACE <= info.value.elapsed < FIRST_ANSWER_GRACE + DEFAULT_MAX_INTERVAL
    assert info.value.facts is None


def test_transient_errors_after_a_first_answer_are_retried_past_the_grace(clock):
    check = Script(clock, PENDING, TransportError("HTTP 503", http_status=503))
    with pytest.raises(TransportError) as info:
        wait(clock, check, timeout=300, first_interval=1, multiplier=2, **NO_JITTER)
    assert info.value.elapsed == 300
    assert info.value.facts == PENDING


def test_endpoint_errors_end_the_wait_at_once(clock):
    error = EndpointError("redirect to https://elsewhere.example", http_status=302)
    check = Script(clock, PENDING, error)
    with pytest.raises(EndpointError):
        wait(clock, check, timeout=600, first_interval=1)
    assert len(check.calls) == 2


def test_rate_limit_retry_after_within_the_deadline_stretches_the_next_delay(clock):
    check = Script(clock, RateLimitedError("429", retry_after=7.0), PENDING, COMPLETED)
    outcome = wait(clock, check, timeout=60, first_interval=1, multiplier=2, **NO_JITTER)
    assert clock.sleeps == [7.0, 2]
    assert outcome.checks == 3


def test_rate_limit_retry_after_shorter_than_the_delay_does_not_shorten_it(clock):
    check = Script(clock, PENDING, PENDING, RateLimitedError("429", retry_after=0.5), COMPLETED)
    wait(clock, check, timeout=60, first_interval=1, multiplier=2, **NO_JITTER)
    assert clock.sleeps == [1, 2, 4]


def test_rate_limit_retry_after_equal_to_the_remaining_time_waits_for_a_final_check(clock):
    check = Script(clock, RateLimitedError("429", retry_after=10.0), COMPLETED)
    outcome = wait(clock, check, timeout=10, first_interval=1)
    assert clock.sleeps == [10.0]
    assert outcome.checks == 2


def test_rate_limit_retry_after_beyond_the_deadline_ends_the_wait_at_once(clock):
    error = RateLimitedError("429", http_status=429, retry_after=300.0)
    check = Script(clock, PENDING, error, COMPLETED)
    with pytest.raises(RateLimitedError) as info:
        wait(clock, check, timeout=60, first_interval=1, **NO_JITTER)
    assert info.value is error
    assert len(check.calls) == 2
    assert clock.sleeps == [1]
    assert error.checks == 2
    assert error.elapsed == 1
    assert error.facts == PENDING
    assert error.details()["retry_after"] == 300.0


# --- progress -------------------------------------------------------------------------------------


def test_on_progress_gets_a_wait_progress_per_check(clock):
    seen: List[WaitProgress] = []
    check = Script(clock, PENDING, TransportError("HTTP 503"), RUNNING, COMPLETED)
    wait(clock, check, on_progress=seen.append, timeout=60, first_interval=1, multiplier=2, **NO_JITTER)
    assert seen == [
        WaitProgress(checks=1, elapsed=0, facts=PENDING, next_check_in=1),
        WaitProgress(checks=2, elapsed=1, facts=PENDING, next_check_in=2, transient_error="HTTP 503"),
        WaitProgress(checks=3, elapsed=3, facts=RUNNING, next_check_in=4),
        WaitProgress(checks=4, elapsed=7, facts=COMPLETED, next_check_in=None),
    ]


def test_on_progress_reports_the_failed_check_before_the_error(clock):
    seen: List[WaitProgress] = []
    with pytest.raises(OperationFailedError):
        wait(clock, Script(clock, FAILED), on_progress=seen.append, timeout=60)
    assert seen == [WaitProgress(checks=1, elapsed=0, facts=FAILED, next_check_in=None)]


def test_on_progress_reports_the_last_check_before_a_timeout(clock):
    seen: List[WaitProgress] = []
    check = Script(clock, PENDING)
    with pytest.raises(WaitTimeoutError):
        wait(clock, check, on_progress=seen.append, timeout=3, first_interval=1, multiplier=2, **NO_JITTER)
    assert [p.checks for p in seen] == [1, 2, 3]
    assert [p.next_check_in for p in seen] == [1, 2, None]
    assert seen[-1] == WaitProgress(checks=3, elapsed=3, facts=PENDING, next_check_in=None)


def test_on_progress_reports_the_last_transient_error_before_raising_it(clock):
    seen: List[WaitProgress] = []
    with pytest.raises(RateLimitedError):
        wait(clock, Script(clock, RateLimitedError("HTTP 429", retry_after=99)), on_progress=seen.append, timeout=5)
    assert seen == [WaitProgress(checks=1, elapsed=0, facts=None, next_check_in=None, transient_error="HTTP 429")]


def test_next_check_in_is_cut_to_the_deadline(clock):
    seen: List[WaitProgress] = []
    with pytest.raises(WaitTimeoutError):
        wait(clock, Script(clock, PENDING), on_progress=seen.append, timeout=2.5, first_interval=2, **NO_JITTER)
    assert [p.next_check_in for p in seen] == [2, 0.5, None]


def test_waiting_without_an_rng_uses_a_fresh_one(clock):
    check = Script(clock, PENDING, COMPLETED)
    outcome = wait_until_finished(check, WaitPolicy(timeout=60), operation_id=OPERATION_ID, clock=clock)
    assert outcome.checks == 2
    assert (1 - DEFAULT_JITTER) * DEFAULT_FIRST_INTERVAL <= clock.sleeps[0] <= DEFAULT_FIRST_INTERVAL


# --- WaitPolicy validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("timeout", -1, "wait_timeout"),
        ("timeout", float("inf"), "wait_timeout"),
        ("timeout", float("nan"), "wait_timeout"),
        ("timeout", "60", "wait_timeout"),
        ("timeout", True, "wait_timeout"),
        ("timeout", None, "wait_timeout"),
        ("first_interval", 0, "first_interval"),
        ("first_interval", -0.5, "first_interval"),
        ("max_interval", 0, "wait_max_interval"),
        ("max_interval", "30", "wait_max_interval"),
        ("multiplier", 0, "multiplier"),
        ("multiplier", "2", "multiplier"),
        ("jitter", -0.1, "jitter"),
        ("jitter", "0.1", "jitter"),
    ],
)
def test_wait_policy_refuses_bad_fields_naming_them(field, value, name):
    with pytest.raises(ValidationError) as info:
        WaitPolicy(**{field: value})
    assert info.value.parameter == name


def test_wait_policy_refuses_a_shrinking_multiplier():
    with pytest.raises(ValidationError, match="Invalid multiplier: expected at least 1"):
        WaitPolicy(multiplier=0.5)


@pytest.mark.parametrize("jitter", [1, 1.5])
def test_wait_policy_refuses_jitter_of_one_or_more(jitter):
    with pytest.raises(ValidationError, match=r"Invalid jitter: expected a fraction in \[0, 1\)"):
        WaitPolicy(jitter=jitter)


def test_wait_policy_accepts_its_edge_values():
    policy = WaitPolicy(timeout=0, first_interval=0.1, multiplier=1, max_interval=1, jitter=0)
    assert policy.timeout == 0
    assert WaitPolicy(jitter=0.999).jitter == 0.999
    assert WaitPolicy(timeout=86400, first_interval=3600, multiplier=10, max_interval=3600).max_interval == 3600


@pytest.mark.parametrize(
    ("field", "value", "name", "problem"),
    [
        ("max_interval", 1e-6, "wait_max_interval", "expected at least 1 second (Cloudflare allows 1,200 requests"),
        ("max_interval", 0.999, "wait_max_interval", "expected at least 1 second"),
        ("max_interval", 3601, "wait_max_interval", "expected at most 3600 seconds"),
        ("first_interval", 0.01, "first_interval", "expected at least 0.1 seconds"),
        ("timeout", 86401, "wait_timeout", "expected at most 86400 seconds"),
        ("timeout", 1e10, "wait_timeout", "expected at most 86400 seconds"),
        ("timeout", 10**400, "wait_timeout", "expected zero or more seconds"),
        ("multiplier", 11, "multiplier", "expected at least 1 and at most 10"),
    ],
)
def test_wait_policy_refuses_values_outside_its_bounds_saying_which(field, value, name, problem):
    # Hostile values: a cap of a microsecond made about 2,000 checks in 2 s, burning the user's shared rate limit.
    with pytest.raises(ValidationError) as info:
        WaitPolicy(**{field: value})
    assert info.value.parameter == name
    assert problem in str(info.value)


# --- decide: the one rule after a check, for a wait on one operation or on many ------------------------------------


def poll_state(facts=None, checks=1, delays=(2.0, 4.0)):
    state = PollState(OPERATION_ID, 100.0, iter(delays))
    state.checks = checks
    state.facts = facts
    return state


RUNNING_FACTS = BulkOperationFacts(id=OPERATION_ID, status="running")
POLICY = WaitPolicy(timeout=60)
DEADLINE = 160.0


def test_decide_ends_a_completed_operation():
    step = decide(poll_state(BulkOperationFacts(id=OPERATION_ID, status="completed")), None, 101.0, DEADLINE, POLICY)
    assert step.completed
    assert (step.error, step.delay) == (None, None)


def test_decide_ends_a_failed_operation_with_its_reason_checks_and_time():
    failed = BulkOperationFacts(id=OPERATION_ID, status="failed", error="too many items")
    step = decide(poll_state(failed, checks=3), None, 104.5, DEADLINE, POLICY)
    assert isinstance(step.error, OperationFailedError)
    assert str(step.error) == f"Bulk operation {OPERATION_ID} failed: too many items"
    assert (step.error.facts, step.error.checks, step.error.elapsed) == (failed, 3, 4.5)


def test_decide_checks_an_unfinished_operation_again_after_the_next_delay():
    assert decide(poll_state(RUNNING_FACTS), None, 101.0, DEADLINE, POLICY).delay == 2.0


def test_decide_never_sleeps_past_the_deadline():
    assert decide(poll_state(RUNNING_FACTS, delays=(30.0,)), None, 150.0, DEADLINE, POLICY).delay == 10.0


def test_decide_ends_an_unfinished_operation_at_the_deadline_with_the_last_status():
    step = decide(poll_state(RUNNING_FACTS, checks=7), None, DEADLINE, DEADLINE, POLICY)
    assert isinstance(step.error, WaitTimeoutError)
    assert str(step.error) == (
        f"Bulk operation {OPERATION_ID} was still running after 60.0 s and 7 checks, at the end of a 60 s wait. "
        "Wait longer, or check it again later with the same operation_id."
    )
    assert (step.error.facts, step.error.timeout, step.error.checks) == (RUNNING_FACTS, 60, 7)


def test_decide_ends_at_once_on_an_error_that_is_not_transient_keeping_the_last_facts():
    error = NotFoundError("gone")
    step = decide(poll_state(RUNNING_FACTS, checks=2), error, 103.0, DEADLINE, POLICY)
    assert step.error is error
    assert (error.facts, error.checks, error.elapsed) == (RUNNING_FACTS, 2, 3.0)


def test_decide_retries_a_transient_error_honouring_its_retry_after():
    assert decide(poll_state(RUNNING_FACTS), TransportError("503"), 101.0, DEADLINE, POLICY).delay == 2.0
    throttled = RateLimitedError("429", retry_after=9.0)
    assert decide(poll_state(RUNNING_FACTS), throttled, 101.0, DEADLINE, POLICY).delay == 9.0


def test_decide_ends_with_a_transient_error_whose_retry_after_reaches_past_the_deadline():
    throttled = RateLimitedError("429", retry_after=300.0)
    assert decide(poll_state(RUNNING_FACTS), throttled, 101.0, DEADLINE, POLICY).error is throttled


def test_decide_ends_with_the_transient_error_not_a_timeout_at_the_deadline():
    error = TransportError("503")
    assert decide(poll_state(RUNNING_FACTS), error, DEADLINE, DEADLINE, POLICY).error is error


def test_decide_gives_up_on_transient_errors_after_the_first_answer_grace_when_none_answered():
    error = TransportError("refused")
    before = decide(poll_state(None), error, 100.0 + FIRST_ANSWER_GRACE - 1, 1000.0, WaitPolicy(timeout=900))
    assert before.delay is not None
    assert decide(poll_state(None), error, 100.0 + FIRST_ANSWER_GRACE, 1000.0, WaitPolicy(timeout=900)).error is error
    # Once an answer came, transient trouble is retried until the deadline.
    answered = decide(poll_state(RUNNING_FACTS), error, 100.0 + FIRST_ANSWER_GRACE, 1000.0, WaitPolicy(timeout=900))
    assert answered.delay is not None
