# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk operations, for every adapter: which operations a caller means, a check of one, a wait for one or for many.

- ``resolve_operation`` and ``resolve_operations``: the operations named by an account and an id, or by entries
  (ids, ``ACCOUNT:OPERATION`` text, objects, or what a write returned), the account falling back on the one given,
  then ``CLOUDFLARE_ACCOUNT_ID``; validated before any request.
- ``get_bulk_operation``: one check, any status. ``wait_for_bulk_operation``: until it finishes.
- ``wait_for_many``: many at once, in one thread, under one deadline and the credential's request budget;
  ``wait_for_all`` the same, in the order given, raising ``BatchWaitError`` when any did not complete.

A wait for one and a wait for many poll alike: each operation has its ``waiter.PollState`` and, after each check,
``waiter.decide`` says whether it is over (completed, failed, timed out, or an error that ends it) or when to check
it again. For many, the scheduler checks the operation whose next check is due soonest, and sleeps until then. When
the request budget is what limits the pace, checks simply happen later than planned and each operation's next pause
is counted from its real last check, so the wait spends fewer checks per operation instead of queueing behind a
fixed schedule; operations never checked yet go first.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import DOCUMENTED_LIMIT, DOCUMENTED_WINDOW
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import parse_bulk_operation
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    BatchWaitError,
    CloudflareListsError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    describe_value,
    validate_ids,
    validate_operation_id,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    PollState,
    WaitOutcome,
    WaitPolicy,
    WaitProgress,
    decide,
    timed_out,
    wait_until_finished,
)

# How late past the deadline a last check may still start.
LATE_CHECK_GRACE = 1.0
# The most operations one wait takes. At Cloudflare's rate limit (1,200 requests per 5 minutes per user), one
# check of each already takes 42 minutes; more is a mistake, and would only fill memory.
MAX_OPERATIONS = 10_000
# How many unfinished operations a BatchWaitError's message names.
NAMED_IN_MESSAGE = 3

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
    """Passed to ``on_progress`` after every check: how many operations are in each state, and the operation just
    checked with its facts as that check saw them (None when it gave none)."""

    counts: Dict[str, int]
    elapsed: float
    next_check_in: Optional[float]
    checked: Optional[OperationRef] = None
    facts: Optional[BulkOperationFacts] = None


# --- which operations ---------------------------------------------------------------------------------------------


def resolve_operation(
    account_id: Optional[str], operation_id: Any, environ: Optional[Mapping[str, str]] = None
) -> OperationRef:
    """One operation: ``account_id`` (else ``CLOUDFLARE_ACCOUNT_ID``) and ``operation_id``, validated."""
    return OperationRef(resolve_account_id(account_id, environ), validate_operation_id(operation_id))


def resolve_operations(
    entries: Sequence[Any],
    account_id: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
    *,
    parameter: str = "operations",
) -> List[OperationRef]:
    """The operations ``entries`` name (see ``operation_refs``), each once, in order. An entry that names no account
    is in ``account_id``, else ``CLOUDFLARE_ACCOUNT_ID``, which must then be set."""
    return operation_refs(entries, lambda: resolve_account_id(account_id, environ), parameter=parameter)


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


# --- a check, a wait for one --------------------------------------------------------------------------------------


def get_bulk_operation(
    client: CloudflareClient,
    account_id: str,
    operation_id: str,
    *,
    deadline: Optional[float] = None,
    timeout: Optional[float] = None,
) -> BulkOperationFacts:
    """One status check, any status; it and its retries end by ``deadline``, or within ``timeout`` seconds. Validates
    both ids before anything is sent."""
    account_id, operation_id = validate_ids(account_id, operation_id)
    if timeout is not None:
        deadline = client.clock() + timeout
    what = f"GET bulk operation {operation_id}"
    result = client.get_result(
        ("accounts", account_id, "rules", "lists", "bulk_operations", operation_id), what=what, deadline=deadline
    )
    return parse_bulk_operation(result, operation_id, what=what, secrets=client.credentials.secrets())


def wait_for_bulk_operation(
    client: CloudflareClient,
    account_id: str,
    operation_id: str,
    policy: Optional[WaitPolicy] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
) -> WaitOutcome:
    """Wait until the operation completes. Raises ``OperationFailedError`` or ``WaitTimeoutError``."""
    account_id, operation_id = validate_ids(account_id, operation_id)
    return wait_until_finished(
        lambda deadline: get_bulk_operation(client, account_id, operation_id, deadline=deadline),
        policy or WaitPolicy(),
        operation_id=operation_id,
        clock=client.clock,
        rng=client.rng,
        on_progress=on_progress,
    )


# --- a wait for many ----------------------------------------------------------------------------------------------


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
    clock = client.clock
    start = clock()
    deadline = start + policy.timeout
    order = itertools.count()
    queue: List[Tuple[float, int, OperationRef, PollState]] = [
        (start, next(order), ref, PollState(ref.operation_id, start, policy.delays(rng))) for ref in refs
    ]
    heapq.heapify(queue)
    counts = {"pending": len(refs), COMPLETED: 0, FAILED: 0, TIMEOUT: 0, ERROR: 0}
    results: List[BatchResult] = []

    def finish(ref: OperationRef, state: PollState, error: Optional[CloudflareListsError] = None) -> None:
        outcome = outcome_of(error)
        counts["pending"] -= 1
        counts[outcome] += 1
        result = BatchResult(ref, outcome, state.facts, state.checks, clock() - start, error)
        results.append(result)
        if on_result is not None:
            on_result(result)

    while queue:
        due, _seq, ref, state = heapq.heappop(queue)
        now = clock()
        if due > now:
            clock.sleep(min(due, max(deadline, now)) - now)
            now = clock()
        # A check due at the deadline is still made (as a single wait makes its last one); one that the budget,
        # a slow server or other checks pushed well past it is not, even an operation's first.
        if now > deadline + LATE_CHECK_GRACE:
            finish(ref, state, timed_out(state, policy.timeout, now - start))
            continue
        state.checks += 1
        error: Optional[CloudflareListsError] = None
        try:
            state.facts = get_bulk_operation(client, ref.account_id, ref.operation_id, deadline=deadline)
        except CloudflareListsError as exc:
            error = exc
        after = clock()
        step = decide(state, error, after, deadline, policy)
        if step.delay is None:
            finish(ref, state, step.error)
        else:
            heapq.heappush(queue, (after + step.delay, next(order), ref, state))
        _report(on_progress, counts, clock(), start, queue, ref, state.facts)
    return results


def outcome_of(error: Optional[CloudflareListsError]) -> str:
    """How a wait that ended with ``error`` (None: none) ended: completed, failed, timeout or error."""
    if error is None:
        return COMPLETED
    if isinstance(error, OperationFailedError):
        return FAILED
    if isinstance(error, WaitTimeoutError):
        return TIMEOUT
    return ERROR


def _report(
    on_progress: Optional[Callable[[BatchProgress], None]],
    counts: Dict[str, int],
    now: float,
    start: float,
    queue: List[Tuple[float, int, OperationRef, PollState]],
    checked: OperationRef,
    facts: Optional[BulkOperationFacts],
) -> None:
    if on_progress is not None:
        next_in = max(0.0, queue[0][0] - now) if queue else None
        on_progress(BatchProgress(dict(counts), now - start, next_in, checked, facts))


def wait_for_all(
    client: CloudflareClient, refs: Sequence[OperationRef], policy: Optional[WaitPolicy] = None
) -> List[BatchResult]:
    """Wait for every operation under one deadline; their results in the order of ``refs``.

    Raises ``BatchWaitError`` (with every result) when any did not complete.
    """
    results = wait_for_many(client, refs, policy)
    position = {ref: index for index, ref in enumerate(refs)}
    results.sort(key=lambda result: position[result.ref])
    unfinished = [result for result in results if result.outcome != COMPLETED]
    if unfinished:
        named = "; ".join(str(result.error or result.outcome) for result in unfinished[:NAMED_IN_MESSAGE])
        raise BatchWaitError(
            "{} of {} bulk operations did not complete: {}{}".format(
                len(unfinished), len(results), named, "; ..." if len(unfinished) > NAMED_IN_MESSAGE else ""
            ),
            results=[result.to_dict() for result in results],
        )
    return results
