# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""urllib3's Retry, bounded by a deadline, with an injectable clock, sleep and random source."""

from __future__ import annotations

import random
import time
from itertools import takewhile
from typing import Any, Callable, FrozenSet, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import parse_retry_after

try:
    from urllib3.exceptions import (
        ConnectTimeoutError,
        InvalidHeader,
        MaxRetryError,
        NewConnectionError,
        ProxyError,
        ReadTimeoutError,
        ResponseError,
        SSLError,
    )
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - client.py reports the missing library before anything is built
    Retry = object  # type: ignore[misc,assignment]

# Statuses worth another try on a GET: rate limited, and the edge's transient failures.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# A write is never sent again because of its answer: a 429 left nothing applied, but by the time it may be sent
# again, the operation that held the account may be this very change (an earlier write that seemed lost). The
# caller reads the list again and plans anew (sync does), so one change is one operation.
WRITE_RETRY_STATUSES: FrozenSet[int] = frozenset()
WRITE_METHODS = frozenset(("POST", "PUT", "DELETE"))
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF_FACTOR = 0.5
DEFAULT_BACKOFF_MAX = 8.0


class DeadlineRetry(Retry):
    """A ``Retry`` that gives up instead of sleeping past ``deadline``.

    The wait before a retry is ``Retry-After`` when the answer carries one, else
    ``backoff_factor * 2**(n-1)`` capped at ``backoff_max`` and scaled by a random factor
    in [0.5, 1) ("equal jitter"), from the first retry on, so clients that failed together
    do not retry together. When that wait would end after ``deadline``, ``increment``
    raises ``MaxRetryError`` at once: the caller sees the last answer (a 429 keeps its
    ``Retry-After``) rather than a sleep it cannot afford.

    A timeout or a TLS failure is never retried here (``ends_the_request``): a timeout has
    already used the attempt's whole time, and a certificate does not heal in a second.
    """

    def __init__(
        self,
        *args: Any,
        deadline: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
        rng: Optional[random.Random] = None,
        budget: Optional[Any] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.clock = clock
        self.sleeper = sleeper
        self.rng = rng if rng is not None else random.Random()
        # The credential's RateBudget: every retried answer is observed, every retry waits for room.
        self.budget = budget
        # The wait that ``increment`` checked against the deadline; ``sleep`` must not draw a different one.
        self._planned_wait: Optional[float] = None

    @classmethod
    def for_method(
        cls,
        method: str,
        *,
        retries: int = DEFAULT_RETRIES,
        deadline: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
        rng: Optional[random.Random] = None,
        budget: Optional[Any] = None,
    ) -> DeadlineRetry:
        """A GET retries 429, 5xx and connection errors. A write is sent again only when it never left: a refused
        connection (``connect``); never after any answer (a 429 included), a read error or a cut connection.
        """
        write = method != "GET"
        return cls(
            total=retries,
            connect=retries,
            read=0 if write else None,
            other=0 if write else None,
            redirect=0,
            allowed_methods=WRITE_METHODS if write else frozenset(("GET",)),
            status_forcelist=WRITE_RETRY_STATUSES if write else RETRY_STATUSES,
            backoff_factor=DEFAULT_BACKOFF_FACTOR,
            backoff_max=DEFAULT_BACKOFF_MAX,
            raise_on_status=False,
            raise_on_redirect=False,
            # urllib3 retries any 429 or 503 with a Retry-After, whatever status_forcelist says: not for a write.
            respect_retry_after_header=not write,
            deadline=deadline,
            clock=clock,
            sleeper=sleeper,
            rng=rng,
            budget=budget,
        )

    @classmethod
    def for_get(cls, **kwargs: Any) -> DeadlineRetry:
        return cls.for_method("GET", **kwargs)

    def new(self, **kw: Any) -> DeadlineRetry:
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("clock", self.clock)
        kw.setdefault("sleeper", self.sleeper)
        kw.setdefault("rng", self.rng)
        kw.setdefault("budget", self.budget)
        return super().new(**kw)

    def get_backoff_time(self) -> float:
        consecutive = len(list(takewhile(lambda entry: entry.redirect_location is None, reversed(self.history))))
        if consecutive == 0:
            return 0.0
        ceiling = float(min(self.backoff_max, self.backoff_factor * (2 ** (consecutive - 1))))
        return ceiling * (0.5 + 0.5 * self.rng.random())

    def parse_retry_after(self, retry_after: str) -> float:
        """Delay-seconds or an HTTP-date, bounded (urllib3's own raises on 5,000 digits)."""
        seconds = parse_retry_after(retry_after)
        if seconds is None:
            raise InvalidHeader(f"Invalid Retry-After header: {retry_after[:40]!r}")
        return seconds

    def planned_wait(self, response: Any = None) -> float:
        """Seconds this retry will sleep before its attempt."""
        if response is not None and self.respect_retry_after_header:
            try:
                retry_after = self.get_retry_after(response)
            except InvalidHeader:  # neither seconds nor an HTTP-date: back off as if it were absent
                retry_after = None
            if retry_after is not None:
                return float(retry_after)
        return self.get_backoff_time()

    def increment(
        self,
        method: Optional[str] = None,
        url: Optional[str] = None,
        response: Any = None,
        error: Optional[Exception] = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> DeadlineRetry:
        if error is not None and ends_the_request(error):
            raise MaxRetryError(_pool, url, error) from error
        if response is not None and self.budget is not None:
            # A write's 429 is most likely the account's pending operation, not the user's rate limit: the client
            # tells them apart once it has the body; here only a GET's 429 pauses the credential.
            self.budget.observe(response.status, response.headers, rate_limited=method == "GET")
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        retry._planned_wait = retry.planned_wait(response)
        if retry.clock() + retry._planned_wait > retry.deadline:
            reason = error or ResponseError("the next retry would end after the deadline")
            raise MaxRetryError(_pool, url, reason)
        return retry

    def sleep(self, response: Any = None) -> None:
        wait = self._planned_wait if self._planned_wait is not None else self.planned_wait(response)
        if wait > 0:
            self.sleeper(wait)
        if self.budget is not None:
            self.budget.acquire(self.deadline, deadline_clock=self.clock)


def ends_the_request(error: Exception) -> bool:
    """A timeout (read, or connect) or a TLS failure: not retried within one request."""
    if isinstance(error, ProxyError):
        error = error.original_error
    if isinstance(error, NewConnectionError):  # refused or unreachable: urllib3 makes it a ConnectTimeoutError
        return False
    return isinstance(error, (ReadTimeoutError, ConnectTimeoutError, SSLError))
