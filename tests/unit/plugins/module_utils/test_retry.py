"""retry: DeadlineRetry, urllib3's Retry bounded by a deadline, driven directly with a fake clock."""

from __future__ import annotations

import email.utils
import random
import time

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import (
    DEFAULT_BACKOFF_FACTOR,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_RETRIES,
    RETRY_STATUSES,
    DeadlineRetry,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import MAX_RETRY_AFTER
from urllib3 import HTTPResponse
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.util.retry import RequestHistory

URL = "/client/v4/accounts/x/rules/lists/bulk_operations/y"


class ScriptedRng(random.Random):
    """random() returns the scripted values in turn, the last one forever."""

    def __init__(self, *values: float) -> None:
        super().__init__(0)
        self.values = list(values)
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


def answer(status: int = 503, retry_after: str | None = None) -> HTTPResponse:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return HTTPResponse(body=b"", headers=headers, status=status, preload_content=False)


def make(clock, *, deadline=float("inf"), rng=None, retries=DEFAULT_RETRIES, sleeper=None):
    return DeadlineRetry.for_get(
        retries=retries,
        deadline=deadline,
        clock=clock,
        sleeper=sleeper or clock.sleep,
        rng=rng if rng is not None else random.Random(7),
    )


def history(*statuses_or_redirects):
    entries = []
    for item in statuses_or_redirects:
        if isinstance(item, int):
            entries.append(RequestHistory("GET", URL, None, item, None))
        else:
            entries.append(RequestHistory("GET", URL, None, 302, item))
    return tuple(entries)


def test_for_get_retries_only_gets_on_rate_limits_and_edge_failures_and_never_redirects(clock):
    retry = make(clock)
    assert retry.total == DEFAULT_RETRIES
    assert retry.redirect == 0
    assert retry.allowed_methods == frozenset({"GET"})
    assert retry.status_forcelist == RETRY_STATUSES == frozenset({429, 500, 502, 503, 504})
    assert retry.raise_on_status is False
    assert retry.raise_on_redirect is False
    assert retry.respect_retry_after_header is True
    assert retry.backoff_factor == DEFAULT_BACKOFF_FACTOR
    assert retry.backoff_max == DEFAULT_BACKOFF_MAX


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_retry_statuses_are_retried_on_get(clock, status):
    assert make(clock).is_retry("GET", status)


@pytest.mark.parametrize("status", [200, 301, 302, 400, 401, 403, 404, 409, 501, 505])
def test_other_statuses_are_not_retried(clock, status):
    assert not make(clock).is_retry("GET", status)


def test_non_get_methods_are_not_retried(clock):
    assert not make(clock).is_retry("POST", 503)


def test_constructor_defaults_are_unbounded_real_time_and_a_fresh_rng():
    retry = DeadlineRetry(total=1)
    assert retry.deadline == float("inf")
    assert isinstance(retry.rng, random.Random)


def test_no_history_means_no_backoff(clock):
    assert make(clock).get_backoff_time() == 0.0


def test_first_retry_waits_more_than_zero(clock):
    retry = make(clock, rng=ScriptedRng(0.0)).increment("GET", URL, response=answer(503))
    wait = retry.get_backoff_time()
    assert wait > 0
    assert wait == DEFAULT_BACKOFF_FACTOR * 0.5


@pytest.mark.parametrize(
    ("consecutive", "ceiling"),
    [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (12, 8.0)],
)
def test_backoff_is_equal_jitter_between_half_and_all_of_the_capped_ceiling(clock, consecutive, ceiling):
    low = DeadlineRetry(total=20, backoff_factor=0.5, backoff_max=8.0, history=history(*[503] * consecutive))
    low.rng = ScriptedRng(0.0)
    high = low.new()
    high.rng = ScriptedRng(0.999999)
    assert low.get_backoff_time() == pytest.approx(ceiling * 0.5)
    assert ceiling * 0.999 < high.get_backoff_time() < ceiling
    seeded = low.new(rng=random.Random(3))
    for _draw in range(200):
        assert ceiling * 0.5 <= seeded.get_backoff_time() < ceiling


def test_backoff_counts_only_errors_since_the_last_redirect(clock):
    retry = DeadlineRetry(
        total=20, backoff_factor=1.0, backoff_max=100.0, history=history(503, 503, 503, "https://x/", 503)
    )
    retry.rng = ScriptedRng(0.0)
    assert retry.get_backoff_time() == 0.5  # one error after the redirect: ceiling 1.0, times 0.5
    retry = DeadlineRetry(total=20, history=history(503, "https://x/"))
    assert retry.get_backoff_time() == 0.0


def test_planned_wait_honours_retry_after(clock):
    retry = make(clock, rng=ScriptedRng(0.0))
    assert retry.planned_wait(answer(429, "7")) == 7.0
    assert isinstance(retry.planned_wait(answer(429, "7")), float)
    assert retry.planned_wait(answer(429, "0")) == 0.0


def test_planned_wait_without_retry_after_is_the_backoff(clock):
    retry = make(clock, rng=ScriptedRng(0.0)).increment("GET", URL, response=answer(503))
    assert retry.planned_wait(answer(503)) == 0.25
    assert retry.planned_wait(None) == 0.25


def test_planned_wait_ignores_retry_after_when_told_not_to_respect_it(clock):
    retry = make(clock, rng=ScriptedRng(0.0)).new(respect_retry_after_header=False)
    assert retry.planned_wait(answer(429, "7")) == 0.0


def test_planned_wait_falls_back_to_backoff_on_an_unparseable_retry_after(clock):
    retry = make(clock, rng=ScriptedRng(0.0)).increment("GET", URL, response=answer(503))
    assert retry.planned_wait(answer(429, "soon")) == 0.25
    assert retry.planned_wait(answer(429, "inf")) == 0.25


@pytest.mark.parametrize(
    ("value", "wait"),
    [("1.5", 1.5), ("9" * 5000, MAX_RETRY_AFTER), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
    ids=["fraction", "5000-digits", "past-date"],
)
def test_planned_wait_reads_retry_after_like_the_envelope(clock, value, wait):
    assert make(clock).planned_wait(answer(429, value)) == wait


def test_planned_wait_honours_an_http_date(clock):
    ahead = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 115 <= make(clock).planned_wait(answer(429, ahead)) <= 120


def test_a_retry_after_date_past_the_deadline_is_not_retried(clock):
    ahead = email.utils.formatdate(time.time() + 3600, usegmt=True)
    with pytest.raises(MaxRetryError):
        make(clock, deadline=clock() + 60).increment("GET", URL, response=answer(429, ahead))


def test_increment_allows_a_retry_that_ends_before_the_deadline(clock):
    retry = make(clock, deadline=clock() + 10, rng=ScriptedRng(0.0))
    retry = retry.increment("GET", URL, response=answer(503))
    assert isinstance(retry, DeadlineRetry)
    assert retry.total == DEFAULT_RETRIES - 1


def test_increment_allows_a_retry_that_ends_exactly_at_the_deadline(clock):
    retry = make(clock, deadline=clock() + 5)
    assert isinstance(retry.increment("GET", URL, response=answer(429, "5")), DeadlineRetry)


def test_increment_raises_max_retry_error_when_the_backoff_would_pass_the_deadline(clock):
    retry = make(clock, deadline=clock() + 0.2, rng=ScriptedRng(0.0))  # first backoff is at least 0.25 s
    with pytest.raises(MaxRetryError) as info:
        retry.increment("GET", URL, response=answer(503))
    assert isinstance(info.value.reason, ResponseError)
    assert "deadline" in str(info.value.reason)


def test_increment_raises_when_retry_after_would_pass_the_deadline(clock):
    retry = make(clock, deadline=clock() + 10)
    with pytest.raises(MaxRetryError):
        retry.increment("GET", URL, response=answer(429, "11"))


def test_increment_raises_once_the_deadline_has_passed(clock):
    retry = make(clock, deadline=clock() + 100)
    clock.advance(100.01)
    with pytest.raises(MaxRetryError):
        retry.increment("GET", URL, response=answer(429, "0"))


def test_increment_after_a_connection_error_keeps_that_error_as_the_reason(clock):
    error = NewConnectionError(None, "connection refused")
    retry = make(clock, deadline=clock() + 0.1, rng=ScriptedRng(0.0))
    with pytest.raises(MaxRetryError) as info:
        retry.increment("GET", URL, error=error)
    assert info.value.reason is error


def test_increment_uses_the_injected_clock(clock):
    retry = make(clock, deadline=clock() + 10)
    retry.increment("GET", URL, response=answer(429, "9"))
    clock.advance(2)
    with pytest.raises(MaxRetryError):
        retry.increment("GET", URL, response=answer(429, "9"))


def test_retries_run_out_after_total_with_max_retry_error(clock):
    retry = make(clock, retries=2)
    retry = retry.increment("GET", URL, response=answer(503))
    retry = retry.increment("GET", URL, response=answer(503))
    with pytest.raises(MaxRetryError):
        retry.increment("GET", URL, response=answer(503))


def test_sleep_uses_the_injected_sleeper_with_the_planned_wait(clock):
    retry = make(clock, rng=ScriptedRng(0.0)).increment("GET", URL, response=answer(503))
    retry.sleep(answer(503))
    assert clock.sleeps == [0.25]
    make(clock).sleep(answer(429, "3"))
    assert clock.sleeps == [0.25, 3.0]


def test_sleep_does_not_call_the_sleeper_for_a_zero_wait(clock):
    make(clock).sleep()
    make(clock).sleep(answer(429, "0"))
    assert clock.sleeps == []


def test_sleep_waits_exactly_what_increment_checked_against_the_deadline(clock):
    # The deadline allows the smallest first backoff (0.25 s) but not the largest (0.5 s). If sleep drew
    # a new random factor, it could sleep past the deadline that increment just checked.
    retry = make(clock, deadline=clock() + 0.3, rng=ScriptedRng(0.0, 0.99))
    deadline = retry.deadline
    retry = retry.increment("GET", URL, response=answer(503))
    retry.sleep(answer(503))
    assert clock.sleeps == [0.25]
    assert clock() <= deadline


def test_sleep_after_a_connection_error_waits_what_increment_checked(clock):
    retry = make(clock, deadline=clock() + 0.3, rng=ScriptedRng(0.0, 0.99))
    retry = retry.increment("GET", URL, error=NewConnectionError(None, "refused"))
    retry.sleep()
    assert clock.sleeps == [0.25]


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(None, URL, "no complete answer within 5 s"),
        ConnectTimeoutError("connect timed out"),
        SSLError("certificate verify failed"),
        ProxyError("tunnel", SSLError("certificate verify failed")),
    ],
    ids=["read-timeout", "connect-timeout", "tls", "tls-to-proxy"],
)
def test_a_timeout_or_a_tls_failure_is_never_retried_within_the_request(clock, error):
    retry = make(clock, deadline=clock() + 600)
    with pytest.raises(MaxRetryError) as info:
        retry.increment("GET", URL, error=error)
    assert info.value.reason is error
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "error",
    [NewConnectionError(None, "refused"), ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))],
    ids=["refused", "reset"],
)
def test_a_refused_or_dropped_connection_is_retried(clock, error):
    retry = make(clock, deadline=clock() + 600).increment("GET", URL, error=error)
    assert len(retry.history) == 1


def test_each_retry_draws_a_fresh_wait(clock):
    retry = make(clock, rng=ScriptedRng(0.0, 0.5))
    retry = retry.increment("GET", URL, response=answer(503))
    retry.sleep(answer(503))
    retry = retry.increment("GET", URL, response=answer(503))
    retry.sleep(answer(503))
    assert clock.sleeps == [0.25, 0.75]


def test_new_carries_deadline_clock_sleeper_and_rng(clock):
    rng = random.Random(1)
    sleeps = []
    retry = make(clock, deadline=1234.5, rng=rng, sleeper=sleeps.append)
    copy = retry.new(total=1)
    assert isinstance(copy, DeadlineRetry)
    assert copy.total == 1
    assert copy.deadline == 1234.5
    assert copy.clock is clock
    assert copy.sleeper == sleeps.append
    assert copy.rng is rng
    assert copy.status_forcelist == RETRY_STATUSES


def test_new_lets_the_caller_override_the_carried_values(clock):
    rng = random.Random(2)
    copy = make(clock).new(deadline=5.0, clock=lambda: 1.0, sleeper=print, rng=rng)
    assert copy.deadline == 5.0
    assert copy.clock() == 1.0
    assert copy.sleeper is print
    assert copy.rng is rng


def test_increment_result_carries_deadline_clock_sleeper_and_rng(clock):
    rng = random.Random(4)
    retry = make(clock, deadline=clock() + 60, rng=rng)
    after = retry.increment("GET", URL, response=answer(503))
    assert (after.deadline, after.clock, after.rng) == (retry.deadline, clock, rng)
    assert after.sleeper == clock.sleep
