# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request budget per Cloudflare credential, shared by every client of this process and, through a small
lock-protected file, by every process of this user on this host.

Cloudflare allows 1,200 requests per 5 minutes per user, across every token, process and machine; past it, every
call of that user is refused for up to 5 minutes. So every request (a status check, a page, a write) first takes a
token from a bucket that refills at a share of that limit (``DEFAULT_SHARE``). On top of the bucket:

- a 429's ``Retry-After`` pauses every request on the credential until it has passed, not only the one that got it;
- the IETF ``RateLimit`` headers Cloudflare sends (``Ratelimit: "default";r=<remaining>;t=<seconds>``) cap what
  is spent before they reset, so we slow down before the server has to say 429. They count the user's requests
  from every host, so they are the signal that crosses hosts; malformed fields are ignored, as the draft says.

Layering, and its limits: the bucket and the file keep one host's processes within the share; the server's headers
and ``Retry-After`` keep several hosts from overrunning it, but only once a response has told them, so hosts that
start together can still meet a 429 at first (it then pauses them all).

The state lives in ``$XDG_CACHE_HOME/edgeops-cloudflare-lists/`` (or ``~/.cache/...``), one file per credential
fingerprint (a hash, never the secret), checked as ``shared_state`` checks every file. A file that is corrupt or
holds numbers out of range is rebuilt, with one warning. A folder or file that can't be used (another user's, one
others can write, a link, a FIFO, a folder where the file should be), or a lock another process holds for more than
``BUDGET_LOCK_WAIT`` (stopped, or stuck), turns the budget into this process's own, with one warning: nothing
waits on it for longer. Set ``CLOUDFLARE_LISTS_SHARED_BUDGET=0`` to keep the budget in this process only, and
``CLOUDFLARE_LISTS_RATE`` to ``REQUESTS/SECONDS`` (e.g. ``1080/300``) to change the rate.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, TypeVar

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import RateLimitedError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import parse_retry_after
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import (
    StateUnusable,
    file_lock,
    read_state,
    shared_path,
    warn_once,
    write_state,
)

DOCUMENTED_LIMIT = 1200
DOCUMENTED_WINDOW = 300.0
#: The share of the documented limit we spend, leaving the rest to the dashboard and other tools.
DEFAULT_SHARE = 0.9
#: Requests that may go out at once. With the share, no 300-s window can exceed the documented limit.
DEFAULT_BURST = 100
RATE_ENV = "CLOUDFLARE_LISTS_RATE"
# Of what the server says remains, keep this many for others (other hosts, the dashboard).
SERVER_RESERVE = 2

# The longest this process waits for the budget's file lock, which each request holds for well under a
# millisecond: a holder that keeps it longer is stopped or stuck, and the budget becomes this process's own.
BUDGET_LOCK_WAIT = 1.0
_LOCK_POLL = 0.01
# Stored values outside these are not a budget's (a bucket never holds more, nor a server says more remains).
MAX_TOKENS = 1e6
MAX_SERVER_REMAINING = 10**9
T = TypeVar("T")

_RATE_TEXT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*/\s*([0-9]+(?:\.[0-9]+)?)\s*$")
# One member of a structured-field list: "name";r=50;t=30 (the draft's syntax; parameters in any order).
_MEMBER = re.compile(r'^\s*"?([A-Za-z0-9_.*-]+)"?((?:\s*;\s*[a-z]+=[0-9]+)*)\s*$')
_PARAM = re.compile(r";\s*([a-z]+)=([0-9]+)")


def fingerprint(parts: Tuple[str, ...]) -> str:
    """A stable name for a credential that reveals nothing of it: a truncated SHA-256 of its parts."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]


def parse_rate(text: str) -> Tuple[float, float]:
    """``"1080/300"`` -> (1080.0, 300.0), for ``CLOUDFLARE_LISTS_RATE``."""
    match = _RATE_TEXT.match(text or "")
    if not match or float(match.group(1)) <= 0 or float(match.group(2)) <= 0:
        raise ValidationError(RATE_ENV, f"expected REQUESTS/SECONDS such as 1080/300, got {text!r}.")
    return float(match.group(1)), float(match.group(2))


def parse_ratelimit(value: Optional[str]) -> Optional[Tuple[int, float]]:
    """``Ratelimit: "default";r=50;t=30`` -> (50 remaining, 30 s to reset); None when absent or malformed.

    Of several members, the tightest (fewest remaining) counts.
    """
    if not value or len(value) > 1024:
        return None
    found: Optional[Tuple[int, float]] = None
    for member in value.split(","):
        match = _MEMBER.match(member)
        if not match:
            return None  # malformed: ignore the whole field, as the draft says
        params = dict(_PARAM.findall(match.group(2)))
        if "r" not in params or "t" not in params or len(params["r"]) > 9 or len(params["t"]) > 9:
            continue
        remaining, reset = int(params["r"]), float(params["t"])
        if found is None or remaining < found[0]:
            found = (remaining, reset)
    return found


@dataclass
class BudgetState:
    """What the budget knows, in wall-clock seconds (so processes can share it)."""

    tokens: float
    updated: float
    paused_until: float = 0.0
    server_remaining: Optional[int] = None
    server_reset_at: float = 0.0

    @classmethod
    def from_json(cls, data: Any) -> Optional[BudgetState]:
        """The state a file holds, or None when it is not one: missing fields, wrong types, non-finite numbers
        (json reads NaN and Infinity), or values no budget has (negative or huge tokens)."""
        if not isinstance(data, dict):
            return None
        try:
            state = cls(**{key: data[key] for key in _FIELDS if key in data})
        except TypeError:
            return None
        numbers = (state.tokens, state.updated, state.paused_until, state.server_reset_at)
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in numbers):
            return None
        if not 0 <= state.tokens <= MAX_TOKENS or min(state.updated, state.paused_until, state.server_reset_at) < 0:
            return None
        remaining = state.server_remaining
        if remaining is not None and (
            not isinstance(remaining, int) or isinstance(remaining, bool) or not 0 <= remaining <= MAX_SERVER_REMAINING
        ):
            return None
        return state


_FIELDS = ("tokens", "updated", "paused_until", "server_remaining", "server_reset_at")


class _MemoryStore:
    """The state in this process only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: Optional[BudgetState] = None

    def transact(self, change: Callable[[Optional[BudgetState]], Tuple[BudgetState, T]]) -> T:
        with self._lock:
            self._state, result = change(self._state)
            return result


class _FileStore:
    """The state in a JSON file, read and written under an exclusive ``flock`` of its lock file, held at most
    ``BUDGET_LOCK_WAIT`` after waiting for it at most as long. Raises ``StateUnusable`` when it can't be used."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()

    def transact(self, change: Callable[[Optional[BudgetState]], Tuple[BudgetState, T]]) -> T:
        if not self._threads.acquire(timeout=BUDGET_LOCK_WAIT):
            raise StateUnusable(f"The request budget's lock {self.path}.lock is held too long in this process")
        try:
            until = time.monotonic() + BUDGET_LOCK_WAIT
            with file_lock(self.path + ".lock", until, poll=_LOCK_POLL) as held:
                if not held:
                    raise StateUnusable(
                        f"Another process has held the request budget's lock {self.path}.lock for more than "
                        f"{BUDGET_LOCK_WAIT:g} s (it may be stopped or stuck)"
                    )
                state, result = change(self._read())
                write_state(self.path, json.dumps(asdict(state)).encode("utf-8"))
                return result
        except OSError as exc:
            raise StateUnusable(f"{self.path}: {exc.strerror or exc}") from None
        finally:
            self._threads.release()

    def _read(self) -> Optional[BudgetState]:
        data = read_state(self.path)
        if data is None:
            return None
        try:
            state = BudgetState.from_json(json.loads(data.decode("utf-8")))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            state = None
        if state is None:
            warn_once(
                f"The request budget file {self.path} held no valid budget (corrupt, too large, or numbers out of "
                "range); it was rebuilt."
            )
        return state


class RateBudget:
    """A token bucket for one credential; ``acquire`` before every request, ``observe`` every answer.

    ``rate`` requests per second, at most ``burst`` at once. ``clock`` is wall-clock seconds when ``path`` names a
    file shared with other processes; any monotonic clock otherwise. Thread-safe.
    """

    def __init__(
        self,
        rate: float = DOCUMENTED_LIMIT * DEFAULT_SHARE / DOCUMENTED_WINDOW,
        burst: float = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        path: Optional[str] = None,
    ) -> None:
        if not (math.isfinite(rate) and math.isfinite(burst)) or rate <= 0 or burst < 1:
            raise ValidationError("rate", f"expected a positive rate and a burst of at least 1, got {rate}, {burst}.")
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self.sleep = sleep
        self.path = path
        self._store: Any = _FileStore(path) if path else _MemoryStore()

    def _fresh(self, now: float) -> BudgetState:
        return BudgetState(tokens=self.burst, updated=now)

    def _transact(self, change: Callable[[BudgetState, float], T]) -> T:
        """``change(state, now)`` under the state's lock, ``now`` read once the lock is held (a wait for it must not
        make the refill count time twice); a file that can't be used turns the budget into this process's own (said
        once), and the change is applied there."""

        def locked(stored: Optional[BudgetState]) -> Tuple[BudgetState, T]:
            now = self.clock()
            state = stored if stored is not None else self._fresh(now)
            return state, change(state, now)

        if isinstance(self._store, _FileStore):
            try:
                return self._store.transact(locked)
            except StateUnusable as exc:
                self._store = _MemoryStore()
                warn_once(
                    f"{exc}. This process's requests now count against a budget of its own, not shared with this "
                    "user's other processes on this host."
                )
        result: T = self._store.transact(locked)
        return result

    def _settle(self, state: BudgetState, now: float) -> None:
        """Refill for the time passed; forget a server window that has reset."""
        if now < state.updated:  # the clock went back (or the file came from a skewed clock): refill nothing
            state.updated = now
        state.tokens = min(self.burst, state.tokens + (now - state.updated) * self.rate)
        state.updated = now
        # No pause outlasts the documented window, whatever a file from another clock says.
        state.paused_until = min(state.paused_until, now + DOCUMENTED_WINDOW)
        state.server_reset_at = min(state.server_reset_at, now + DOCUMENTED_WINDOW)
        if state.server_remaining is not None and now >= state.server_reset_at:
            state.server_remaining = None

    def _settle_and_take(self, state: BudgetState, now: float) -> float:
        self._settle(state, now)
        return self._wait_needed(state, now)

    def _wait_needed(self, state: BudgetState, now: float) -> float:
        """Seconds until a request may go; 0 takes a token (and one of the server's remaining) now."""
        waits = [state.paused_until - now]
        if state.tokens < 1:
            waits.append((1 - state.tokens) / self.rate)
        if state.server_remaining is not None and state.server_remaining <= SERVER_RESERVE:
            waits.append(state.server_reset_at - now)
        wait = max(waits)
        if wait <= 0:
            state.tokens -= 1
            if state.server_remaining is not None:
                state.server_remaining -= 1
        return max(0.0, wait)

    def acquire(self, deadline: float = float("inf"), *, deadline_clock: Optional[Callable[[], float]] = None) -> float:
        """Wait for room, then take it; returns the seconds waited.

        ``deadline`` is on ``deadline_clock`` (default: the budget's own clock). When the wait would end after it,
        raises ``RateLimitedError`` at once, with ``retry_after``, instead of sleeping past it.
        """
        deadline_now = deadline_clock or self.clock
        waited = 0.0
        while True:
            wait = self._transact(self._settle_and_take)
            if wait <= 0:
                return waited
            if deadline_now() + wait > deadline:
                raise RateLimitedError(
                    f"The request budget for this Cloudflare user has no room for {wait:.1f} s, past the deadline: "
                    "other waits or pipelines with the same credentials are using it, or Cloudflare asked to slow "
                    "down. Retry later, or raise wait_timeout.",
                    retry_after=round(wait, 3),
                )
            self.sleep(wait)
            waited += wait

    def observe(self, status: int, headers: Mapping[str, str], *, rate_limited: Optional[bool] = None) -> None:
        """Learn from an answer: a rate limit's 429 and its ``Retry-After`` pause everyone; ``Ratelimit`` caps what
        is left. ``rate_limited`` False marks a 429 that is not the user's rate limit (a write meeting the
        account's pending operation): it pauses nothing. None means a 429 is taken as the rate limit."""
        lowered = {str(name).lower(): value for name, value in headers.items()}
        throttled = status == 429 and rate_limited is not False
        given = lowered.get("retry-after") if throttled else None
        ratelimit = parse_ratelimit(lowered.get("ratelimit"))
        if not throttled and ratelimit is None:
            return
        # An HTTP-date counts from the budget's clock: the wall clock, in real use.
        retry_after = parse_retry_after(str(given), self.clock()) if given is not None else None

        def learn(state: BudgetState, now: float) -> None:
            self._settle(state, now)
            if throttled:
                # At most the documented window: Cloudflare's block lasts up to 5 minutes, and a longer pause would
                # freeze every pipeline of this user on this host on the word of one answer.
                pause = min(retry_after if retry_after is not None else 1.0, DOCUMENTED_WINDOW)
                state.tokens = min(state.tokens, 0.0)
                state.paused_until = max(state.paused_until, now + pause)
            if ratelimit is not None:
                remaining, reset = ratelimit
                state.server_remaining = remaining
                state.server_reset_at = now + min(reset, DOCUMENTED_WINDOW)  # as bounded as a Retry-After

        self._transact(learn)


_SHARED: Dict[Tuple[str, str], RateBudget] = {}
_SHARED_GUARD = threading.Lock()


def shared_budget(
    secrets: Tuple[str, ...], base_url: str = "", environ: Optional[Mapping[str, str]] = None
) -> RateBudget:
    """The budget of this credential at this API (``base_url``) for this process, backed by the host-wide file
    unless turned off. An emulator and Cloudflare never share a budget, even with one token."""
    env = os.environ if environ is None else environ
    requests_per, window = (
        parse_rate(env[RATE_ENV])
        if env.get(RATE_ENV)
        else (
            DOCUMENTED_LIMIT * DEFAULT_SHARE,
            DOCUMENTED_WINDOW,
        )
    )
    rate, burst = requests_per / window, float(DEFAULT_BURST)
    name = fingerprint((base_url, *secrets))
    path = shared_path(f"budget-{name}.json", env)
    key = (name, f"{rate}:{burst}:{path}")
    with _SHARED_GUARD:
        budget = _SHARED.get(key)
        if budget is None:
            budget = _SHARED[key] = RateBudget(rate, burst, path=path)
        return budget
