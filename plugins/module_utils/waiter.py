# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting, kept apart from calling: a schedule, one poll state per operation, and one decision after each check.

``WaitPolicy`` is the schedule; ``PollState`` what one operation's wait has seen; ``decide`` the pure rule that,
after each check, says whether the wait is over (completed, or an error to end with) or when to check again.
``wait_until_finished`` waits for one operation on a ``Clock``; the batch scheduler (``bulk_operations``) drives
many poll states by the same ``decide``, so a wait for one and a wait for many end alike.

Semantics:
- the first check is immediate;
- then delays grow from ``first_interval`` by ``multiplier`` up to ``max_interval``, each shortened by a
  random fraction of at most ``jitter`` (so the cap is never exceeded);
- no sleep ends after the deadline: the last sleep is cut short so a final check lands on it;
- a status outside pending/running/completed/failed is an error at once (raised by the parser);
- transient API trouble (connection, 5xx, 429) is retried on the schedule until the deadline, but
  before the first good answer only for ``FIRST_ANSWER_GRACE`` seconds, so a wrong base_url fails in a
  minute rather than at the deadline; a 429 whose Retry-After reaches past the deadline ends the wait at once;
- ``timeout=0`` checks exactly once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.clock import SYSTEM_CLOCK, Clock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    OperationFailedError,
    RateLimitedError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    MAX_MAX_INTERVAL,
    validate_max_interval,
    validate_positive_number,
    validate_wait_timeout,
)

DEFAULT_WAIT_TIMEOUT = 900.0
# A check at once, then pauses of 0.48, 0.86, 1.6, 2.8, 5.0, 9.1, 16 and 29 s, then 30 s, each shortened by up to
# 10 %. The first interval and multiplier come from benchmarks/waiter_schedules.py's exact search: within 0.3 % of
# the fewest requests for a p95 relative lag half of terraform v5's over 0.2-900 s, and a mean lag over 1-60 s of
# 0.85 x terraform v5's (see benchmarks/README.md). The cap bounds how late completion is seen; the jitter lets
# waits that started together drift apart.
DEFAULT_FIRST_INTERVAL = 0.48
DEFAULT_MULTIPLIER = 1.8
DEFAULT_MAX_INTERVAL = 30.0
DEFAULT_JITTER = 0.1
MIN_FIRST_INTERVAL = 0.1
MAX_MULTIPLIER = 10.0

# Errors worth another check later in the same wait; everything else ends it.
TRANSIENT_ERRORS = (TransportError, RateLimitedError)
# How long transient errors are retried before any check has succeeded.
FIRST_ANSWER_GRACE = 60.0


@dataclass(frozen=True)
class WaitPolicy:
    """How long to wait, and how often to look.

    ``timeout``: seconds from the first check to give up (0: check once).
    ``first_interval``: seconds before the second check. ``multiplier``: growth of each delay.
    ``max_interval``: the cap on any delay, so completion is seen at most this late (1 s to 1 hour).
    ``jitter``: each delay is shortened by a random fraction in [0, jitter).
    """

    timeout: float = DEFAULT_WAIT_TIMEOUT
    first_interval: float = DEFAULT_FIRST_INTERVAL
    multiplier: float = DEFAULT_MULTIPLIER
    max_interval: float = DEFAULT_MAX_INTERVAL
    jitter: float = DEFAULT_JITTER

    def __post_init__(self) -> None:
        validate_wait_timeout(self.timeout)
        validate_positive_number(
            "first_interval", self.first_interval, minimum=MIN_FIRST_INTERVAL, maximum=MAX_MAX_INTERVAL
        )
        validate_max_interval(self.max_interval)
        if not 1 <= validate_positive_number("multiplier", self.multiplier) <= MAX_MULTIPLIER:
            raise ValidationError("multiplier", f"expected at least 1 and at most 10, got {self.multiplier!r}.")
        if not 0 <= validate_positive_number("jitter", self.jitter, allow_zero=True) < 1:
            raise ValidationError("jitter", f"expected a fraction in [0, 1), got {self.jitter!r}.")

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The sleeps between checks, forever; the caller stops at its deadline."""
        delay = self.first_interval
        while True:
            yield min(delay, self.max_interval) * (1.0 - self.jitter * rng.random())
            delay = min(delay * self.multiplier, self.max_interval)


@dataclass(frozen=True)
class WaitProgress:
    """Passed to ``on_progress`` after every check."""

    checks: int
    elapsed: float
    facts: Optional[BulkOperationFacts]
    next_check_in: Optional[float]
    transient_error: Optional[str] = None


@dataclass(frozen=True)
class WaitOutcome:
    facts: BulkOperationFacts
    checks: int
    elapsed: float


class PollState:
    """One operation's wait: when it started, its schedule, the checks made and the last facts seen."""

    def __init__(self, operation_id: str, start: float, delays: Iterator[float]) -> None:
        self.operation_id = operation_id
        self.start = start
        self.delays = delays
        self.checks = 0
        self.facts: Optional[BulkOperationFacts] = None


@dataclass(frozen=True)
class Step:
    """What to do after a check: end with ``error``, check again in ``delay`` seconds, or neither: it completed."""

    error: Optional[CloudflareListsError] = None
    delay: Optional[float] = None

    @property
    def completed(self) -> bool:
        return self.error is None and self.delay is None


def decide(
    state: PollState, error: Optional[CloudflareListsError], now: float, deadline: float, policy: WaitPolicy
) -> Step:
    """After a check that set ``state.facts`` or raised ``error``, at ``now``: the wait's next step (pure, but for
    drawing the next delay from ``state.delays``)."""
    elapsed = now - state.start
    if error is not None and not isinstance(error, TRANSIENT_ERRORS):
        return Step(error=_annotate(error, state, elapsed))
    facts = state.facts
    if error is None and facts is not None and facts.finished:
        return Step() if facts.succeeded else Step(error=operation_failed(facts, state.checks, elapsed))
    remaining = deadline - now
    delay = next(state.delays)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        delay = max(delay, retry_after)
    gave_up = remaining <= 0 or (facts is None and elapsed >= FIRST_ANSWER_GRACE)
    if error is not None and (gave_up or (retry_after is not None and retry_after > remaining)):
        # The API never let us finish: report its error, not a timeout.
        return Step(error=_annotate(error, state, elapsed))
    if remaining <= 0:
        return Step(error=timed_out(state, policy.timeout, elapsed))
    return Step(delay=min(delay, remaining))


def operation_failed(facts: BulkOperationFacts, checks: int, elapsed: float) -> OperationFailedError:
    """The error of an operation Cloudflare finished as ``failed``."""
    return OperationFailedError(
        "Bulk operation {} failed: {}".format(facts.id, facts.error or "Cloudflare gave no reason."),
        facts=facts,
        checks=checks,
        elapsed=elapsed,
    )


def timed_out(state: PollState, timeout: float, elapsed: float) -> WaitTimeoutError:
    """The error of a wait that reached its deadline with the operation unfinished."""
    return WaitTimeoutError(
        "Bulk operation {} was still {} after {:.1f} s and {} check{}, at the end of a {:g} s wait. "
        "Wait longer, or check it again later with the same operation_id.".format(
            state.operation_id,
            state.facts.status if state.facts else "unknown",
            elapsed,
            state.checks,
            "" if state.checks == 1 else "s",
            max(round(timeout, 1), 0.1) if timeout > 0 else 0,  # a deadline's remainder (0.482672 s) as people read it
        ),
        timeout=timeout,
        facts=state.facts,
        checks=state.checks,
        elapsed=elapsed,
    )


def wait_until_finished(
    check: Callable[[float], BulkOperationFacts],
    policy: WaitPolicy,
    *,
    operation_id: str,
    clock: Clock = SYSTEM_CLOCK,
    rng: Optional[random.Random] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
) -> WaitOutcome:
    """Call ``check(deadline)`` until the operation finishes, the deadline passes, or an error ends it.

    Returns on ``completed``; raises ``OperationFailedError`` on ``failed`` and
    ``WaitTimeoutError`` at the deadline, both with the last facts, checks and elapsed time.
    """
    start = clock()
    deadline = start + policy.timeout
    state = PollState(operation_id, start, policy.delays(rng if rng is not None else random.Random()))
    while True:
        state.checks += 1
        error: Optional[CloudflareListsError] = None
        try:
            state.facts = check(deadline)
        except CloudflareListsError as exc:
            error = exc
        now = clock()
        step = decide(state, error, now, deadline, policy)
        transient = str(error) if isinstance(error, TRANSIENT_ERRORS) else None
        if on_progress is not None and (error is None or transient is not None):
            on_progress(WaitProgress(state.checks, now - start, state.facts, step.delay, transient))
        if step.error is not None:
            raise step.error
        if step.delay is not None:
            clock.sleep(step.delay)
        elif state.facts is not None:  # completed (a check answered)
            return WaitOutcome(facts=state.facts, checks=state.checks, elapsed=now - start)


def _annotate(error: CloudflareListsError, state: PollState, elapsed: float) -> CloudflareListsError:
    """Attach what the wait knew to an error raised inside it."""
    if error.facts is None:
        error.facts = state.facts
    error.checks = state.checks
    error.elapsed = elapsed
    return error
