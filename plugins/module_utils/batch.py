# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait on many bulk operations at once, in one thread, under the credential's request budget.

Each operation keeps its own schedule (``WaitPolicy.delays``: first check at once, then growing pauses); the
scheduler always checks the operation whose next check is due soonest, and sleeps until then. There is one deadline
for all. When the request budget is what limits the pace, checks simply happen later than planned and each
operation's next pause is counted from its real last check, so the wait spends fewer checks per operation instead
of queueing behind a fixed schedule; operations never checked yet go first.

An operation ends with its facts (``completed`` or ``failed``), or with the error that ended it: an API error
other than a transient one (404, auth), or ``WaitTimeoutError`` at the deadline. Transient trouble (5xx, 429,
connection) is retried on the operation's schedule, as in a single wait.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import DOCUMENTED_LIMIT, DOCUMENTED_WINDOW
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import describe_value, validate_ids
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import TRANSIENT_ERRORS, WaitPolicy

# How late past the deadline a last check may still start.
LATE_CHECK_GRACE = 1.0
# The most operations one wait takes. At Cloudflare's rate limit (1,200 requests per 5 minutes per user), one
# check of each already takes 42 minutes; more is a mistake, and would only fill memory.
MAX_OPERATIONS = 10_000

COMPLETED = "completed"
FAILED = "failed"
TIMEOUT = "timeout"
ERROR = "error"


@dataclass(frozen=True)
class OperationRef:
    account_id: str
    operation_id: str


@dataclass(frozen=True)
class BatchResult:
    """How one operation's wait ended. ``outcome`` is completed, failed, timeout or error."""

    ref: OperationRef
    outcome: str
    facts: Optional[BulkOperationFacts]
    checks: int
    elapsed: float
    error: Optional[CloudflareListsError] = None

    def to_dict(self) -> Dict[str, object]:
        return {
            "account_id": self.ref.account_id,
            "operation_id": self.ref.operation_id,
            "outcome": self.outcome,
            "facts": self.facts.to_dict() if self.facts else None,
            "checks": self.checks,
            "elapsed": round(self.elapsed, 3),
            "message": str(self.error) if self.error else None,
        }


@dataclass(frozen=True)
class BatchProgress:
    """Passed to ``on_progress`` after every check: how many operations are in each state."""

    counts: Dict[str, int]
    elapsed: float
    next_check_in: Optional[float]


class _Watch:
    def __init__(self, ref: OperationRef, delays: Iterator[float]) -> None:
        self.ref = ref
        self.delays = delays
        self.checks = 0
        self.facts: Optional[BulkOperationFacts] = None


def parse_refs(pairs: Sequence[Tuple[Any, Any]], parameter: str = "operations") -> List[OperationRef]:
    """Validated references, in order; the same operation twice is waited on once. More than ``MAX_OPERATIONS``
    is a ``ValidationError``, found before any of them is checked."""
    if len(pairs) > MAX_OPERATIONS:
        raise too_many_operations(str(len(pairs)), parameter)
    seen: Dict[Tuple[str, str], None] = {}
    for account_id, operation_id in pairs:
        seen.setdefault(validate_ids(account_id, operation_id), None)
    return [OperationRef(account_id, operation_id) for account_id, operation_id in seen]


def too_many_operations(count: str, parameter: str = "operations") -> ValidationError:
    """The error for ``count`` operations, past ``MAX_OPERATIONS``."""
    return ValidationError(
        parameter,
        f"{count} operations given; one wait takes at most {MAX_OPERATIONS} (one check of each already takes "
        f"{MAX_OPERATIONS * DOCUMENTED_WINDOW / DOCUMENTED_LIMIT / 60:.0f} minutes at Cloudflare's rate limit). "
        "Split them into several waits.",
    )


def _entry_pair(entry: Any, default_account_id: Callable[[], str], parameter: str) -> Optional[Tuple[Any, Any]]:
    if isinstance(entry, Mapping) and "bulk_operation" in entry:  # a registered module result
        entry = entry["bulk_operation"]
    if entry is None:
        return None
    if isinstance(entry, str):
        account_id, operation_id = entry.strip().rpartition(":")[::2]
        return account_id.strip().lower() or default_account_id(), operation_id.strip()
    if isinstance(entry, Mapping) and ("operation_id" in entry or "id" in entry):
        operation_id = entry["operation_id"] if "operation_id" in entry else entry["id"]
        return entry.get("account_id") or default_account_id(), operation_id
    raise ValidationError(
        parameter,
        "expected operation_id or account_id:operation_id as text, an object with operation_id (and account_id), "
        f"or a write's bulk_operation result, got {describe_value(entry)}.",
    )


def operation_refs(
    entries: Sequence[Any], default_account_id: Callable[[], str], *, parameter: str = "operations"
) -> List[OperationRef]:
    """The operations ``entries`` name, validated, in order, each once.

    An entry is an operation id (``"OPERATION_ID"``, ``"ACCOUNT_ID:OPERATION_ID"``), an object with
    ``operation_id`` and maybe ``account_id``, or what a write returned: its ``bulk_operation`` facts (``id``), or
    the whole result holding them. ``None`` (a write that wrote nothing) is skipped. ``default_account_id`` is
    called only for an entry that names no account.
    """
    if len(entries) > MAX_OPERATIONS:
        raise too_many_operations(str(len(entries)), parameter)
    pairs = []
    for index, entry in enumerate(entries):
        pair = _entry_pair(entry, default_account_id, f"{parameter}[{index}]")
        if pair is not None:
            pairs.append(pair)
    return parse_refs(pairs, parameter)


def wait_for_many(
    client: CloudflareClient,
    refs: Sequence[OperationRef],
    policy: Optional[WaitPolicy] = None,
    *,
    on_result: Optional[Callable[[BatchResult], None]] = None,
    on_progress: Optional[Callable[[BatchProgress], None]] = None,
) -> List[BatchResult]:
    """Wait for every operation; return their results in the order they finished (``on_result`` as each does)."""
    policy = policy or WaitPolicy()
    rng = client.rng if isinstance(client.rng, random.Random) else random.Random()
    start = client.clock()
    deadline = start + policy.timeout
    order = itertools.count()
    queue: List[Tuple[float, int, _Watch]] = [(start, next(order), _Watch(ref, policy.delays(rng))) for ref in refs]
    heapq.heapify(queue)
    counts = {"pending": len(refs), COMPLETED: 0, FAILED: 0, TIMEOUT: 0, ERROR: 0}
    results: List[BatchResult] = []

    def finish(watch: _Watch, outcome: str, error: Optional[CloudflareListsError] = None) -> None:
        counts["pending"] -= 1
        counts[outcome] += 1
        result = BatchResult(watch.ref, outcome, watch.facts, watch.checks, client.clock() - start, error)
        results.append(result)
        if on_result is not None:
            on_result(result)

    while queue:
        due, _seq, watch = heapq.heappop(queue)
        now = client.clock()
        if due > now:
            client.sleep(min(due, max(deadline, now)) - now)
            now = client.clock()
        # A check due at the deadline is still made (as a single wait makes its last one); one that the budget,
        # a slow server or other checks pushed well past it is not, even an operation's first.
        if now > deadline + LATE_CHECK_GRACE:
            finish(watch, TIMEOUT, _timeout(watch, policy, now - start))
            continue
        watch.checks += 1
        transient: Optional[CloudflareListsError] = None
        try:
            watch.facts = client.get_bulk_operation(watch.ref.account_id, watch.ref.operation_id, deadline=deadline)
        except TRANSIENT_ERRORS as exc:
            transient = exc
        except CloudflareListsError as exc:
            finish(watch, ERROR, exc)
            _report(on_progress, counts, client.clock(), start, queue)
            continue
        if transient is None and watch.facts is not None and watch.facts.finished:
            if watch.facts.succeeded:
                finish(watch, COMPLETED)
            else:
                finish(watch, FAILED, _failed(watch.facts))
        else:
            delay = next(watch.delays)
            retry_after = getattr(transient, "retry_after", None)
            if retry_after is not None:
                delay = max(delay, retry_after)
            after = client.clock()
            if after >= deadline:
                # The API never let this one finish: its error, not a timeout.
                if transient is not None:
                    finish(watch, ERROR, transient)
                else:
                    finish(watch, TIMEOUT, _timeout(watch, policy, after - start))
            else:
                heapq.heappush(queue, (min(after + delay, deadline), next(order), watch))
        _report(on_progress, counts, client.clock(), start, queue)
    return results


def _report(
    on_progress: Optional[Callable[[BatchProgress], None]],
    counts: Dict[str, int],
    now: float,
    start: float,
    queue: List[Tuple[float, int, _Watch]],
) -> None:
    if on_progress is not None:
        next_in = max(0.0, queue[0][0] - now) if queue else None
        on_progress(BatchProgress(dict(counts), now - start, next_in))


def _failed(facts: BulkOperationFacts) -> OperationFailedError:
    return OperationFailedError(
        "Bulk operation {} failed: {}".format(facts.id, facts.error or "Cloudflare gave no reason."), facts=facts
    )


def _timeout(watch: _Watch, policy: WaitPolicy, elapsed: float) -> WaitTimeoutError:
    status = watch.facts.status if watch.facts else "unknown"
    return WaitTimeoutError(
        f"Bulk operation {watch.ref.operation_id} was still {status} after {elapsed:.1f} s and {watch.checks} "
        f"check(s), at the end of a {policy.timeout:g} s wait.",
        timeout=policy.timeout,
        facts=watch.facts,
        checks=watch.checks,
        elapsed=elapsed,
    )
