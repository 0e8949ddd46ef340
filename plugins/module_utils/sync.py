# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one write path: make a list hold what it should. Read, plan, guard, write only the difference, wait,
verify. Every adapter (the Ansible modules, the Pulumi resources, the command) calls these functions.

- ``apply_items``: one list's items, in a membership mode (``exact``, ``present``, ``absent``).
- ``sync_list``: a list by name (created when missing, deleted with ``state="absent"``), its description and,
  when given, its items. ``update_list``: the same for a list already found (e.g. by id).
- ``sync_items``: the items of an existing list, by id or name (created when missing and a kind is given).
- ``create_list_with_items``: a new list and its items; the list is deleted again if its items' write fails.

How they behave, whoever calls them:
- Guards first (``guards.py``): an ``exact`` sync to no items is refused unless ``allow_empty``; a plan that
  removes more than ``max_removals`` is refused. Both before any write, in check mode too.
- Only what changes is written (``ItemsPlan.writes``): additions and updates in one ``POST``, then removals in one
  ``DELETE`` by id, each waited on; a ``PUT`` only when no item stays. Items outside the plan keep their ids.
- Check mode runs the same reads, plan and guards, and stops before the first write.
- A write that may have been applied (a timeout, a 5xx), or one refused because another writer's operation holds
  the account, is never resent as it was: the list is read again and a new plan made, within the deadline.
- The account's write lock (``account_write_lock``) is held from a list's read to its last operation's end, so
  writers in this process and on this host queue instead of meeting the account's pending operation. It is held
  for item writes only: creating, describing and deleting lists are not bulk operations.
- Failures carry a ``hint``: what to do, and which of this run's writes were applied; and, as data, ``partial``
  (``PartialOutcome``): the list found or created, the plan, the writes sent (with their operations as last seen)
  and not sent. ``SyncOptions.on_step`` is told the same as the call goes, for a caller a signal stops meanwhile.
"""

from __future__ import annotations

import dataclasses
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    get_bulk_operation,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.clock import Clock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    CloudflareListsError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    RetryLaterError,
    ValidationError,
    VerificationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import (
    PENDING,
    BulkOperationFacts,
    ListFacts,
    PlannedList,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.guards import (
    RemovalLimit,
    parse_max_removals,
    refuse_empty_exact,
    refuse_too_many_removals,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ABSENT,
    EXACT,
    ItemsPlan,
    ListItem,
    PlannedWrite,
    parse_items,
    plan,
    sorted_items,
    validate_kind,
    validate_mode,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    create_list,
    delete_list,
    find_list,
    get_list,
    looks_like_list_id,
    read_items,
    refuse_if_in_use,
    resolve_list,
    search_items,
    send_write,
    update_description,
    validate_description,
    validate_list_name,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import PartialOutcome, WriteOutcome
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import (
    SavedPlan,
    refuse_unless_as_saved,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import account_lock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import validate_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy, WaitProgress

# Writes after an ambiguous one: each is preceded by a fresh read and plan.
MAX_WRITES = 3
# Pause before re-reading after an ambiguous write, so an accepted write has a chance to show.
AMBIGUOUS_PAUSE = 5.0
# Items read back one by one (the items endpoint's search) rather than by reading the whole list again, while
# that costs fewer requests than the pages of the whole list.
PAGE_SIZE = 500


@dataclass(frozen=True)
class SyncOptions:
    """How a sync runs; the same for every adapter.

    ``check_mode``: read and plan, write nothing. ``wait``: wait for the last write's operation and verify (writes
    before the last are always waited on, as Cloudflare runs one operation at a time per account).
    ``allow_empty``: let an ``exact`` sync to no items empty the list. ``max_removals``: the most one plan may
    remove (see ``guards.parse_max_removals``). ``on_progress``: called after each status check of a wait.
    ``on_step``: called with what the call has done so far (``PartialOutcome``) each time that grows.
    """

    check_mode: bool = False
    wait: bool = True
    policy: WaitPolicy = field(default_factory=WaitPolicy)
    allow_empty: bool = False
    max_removals: Optional[RemovalLimit] = None
    on_progress: Optional[Callable[[WaitProgress], None]] = None
    #: The saved plan being applied (see ``saved_plans``): another list, or another plan, is refused.
    saved_plan: Optional[SavedPlan] = None
    on_step: Optional[Callable[[PartialOutcome], None]] = None

    @classmethod
    def of(
        cls,
        *,
        check_mode: bool = False,
        wait: bool = True,
        policy: Optional[WaitPolicy] = None,
        allow_empty: bool = False,
        max_removals: Any = None,
        on_progress: Optional[Callable[[WaitProgress], None]] = None,
        saved_plan: Optional[SavedPlan] = None,
        on_step: Optional[Callable[[PartialOutcome], None]] = None,
    ) -> SyncOptions:
        """Options from plain values, validated (``max_removals`` as ``50`` or ``"10%"``)."""
        return cls(
            check_mode=bool(check_mode),
            wait=bool(wait),
            policy=policy or WaitPolicy(),
            allow_empty=bool(allow_empty),
            max_removals=parse_max_removals(max_removals),
            on_progress=on_progress,
            saved_plan=saved_plan,
            on_step=on_step,
        )


class StepRecorder:
    """What one call has done so far (``partial``): told to ``on_step`` as it grows, and given to the error that
    ends the call (``attached``). The functions a call nests share its recorder."""

    def __init__(self, on_step: Optional[Callable[[PartialOutcome], None]] = None) -> None:
        self.partial = PartialOutcome()
        self._on_step = on_step

    def note(self, **changes: Any) -> None:
        self.partial = dataclasses.replace(self.partial, **changes)
        if self._on_step is not None:
            self._on_step(self.partial)

    def sent(self, write: PlannedWrite, operation_id: str, not_sent: Sequence[PlannedWrite]) -> None:
        outcome = WriteOutcome(write.method, len(write.items), BulkOperationFacts(operation_id, PENDING))
        self.note(writes=(*self.partial.writes, outcome), not_sent=tuple(not_sent))

    def seen(self, operation: Optional[BulkOperationFacts]) -> None:
        """A check of a sent write's operation: its facts replace those last seen."""
        if operation is None:
            return
        writes = tuple(
            dataclasses.replace(write, operation=operation) if write.operation.id == operation.id else write
            for write in self.partial.writes
        )
        self.note(writes=writes, changed=self.partial.changed or operation.succeeded)

    @contextmanager
    def attached(self) -> Iterator[StepRecorder]:
        """Within: a core error that ends the call carries ``partial`` as it stands then."""
        try:
            yield self
        except CloudflareListsError as error:
            error.partial = self.partial
            raise


@dataclass(frozen=True)
class ItemsOutcome:
    """What a sync did to a list's items.

    ``plan``: this run's plan (in check mode, what a real run would do, with the writes it would send).
    ``writes``: the writes sent, in order, each with its operation's facts. ``operation``: the last one's facts,
    or None when nothing was written. ``items``: the list's items after (predicted in check mode or without
    waiting; else as verified). ``changed``: a write was applied, or would be in check mode.
    """

    plan: ItemsPlan
    operation: Optional[BulkOperationFacts]
    items: Tuple[ListItem, ...]
    changed: bool
    verified: bool
    writes: Tuple[WriteOutcome, ...] = ()
    #: The list's facts as read after the writes (its new ``num_items``), when they were verified.
    list: Optional[ListFacts] = None
    #: This call created the list (in check mode: would create it).
    created: bool = False
    #: In check mode, the list this call would create.
    planned_list: Optional[PlannedList] = None

    @property
    def items_written(self) -> int:
        """Items written or removed by the writes sent: what counts against Cloudflare's item-change quota."""
        return sum(write.items for write in self.writes)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "changed": self.changed,
            "plan": self.plan.to_dict(),
            "operation": self.operation.to_dict() if self.operation else None,
            "writes": [write.to_dict() for write in self.writes],
            "items_written": self.items_written,
        }


@dataclass(frozen=True)
class ListOutcome:
    """What ``sync_list`` did. ``list`` is the list after (None once deleted, or in check mode before it exists);
    ``planned_list`` is, in check mode, the list that a real run would create."""

    list: Optional[ListFacts]
    changed: bool
    created: bool = False
    deleted: bool = False
    description_before: Optional[str] = None
    description_after: Optional[str] = None
    items: Optional[ItemsOutcome] = None
    planned_list: Optional[PlannedList] = None
    #: The list deleted (in check mode, that would be), as read before.
    deleted_list: Optional[ListFacts] = None

    def diff(self) -> Dict[str, Any]:
        """``{before, after}``: the description and, when managed, the canonical items around the change."""
        before: Dict[str, Any] = {}
        after: Dict[str, Any] = {}
        if self.description_before is not None or not self.created:
            before["description"] = self.description_before
        if not self.deleted:
            after["description"] = self.description_after
        if self.items is not None:
            items_diff = self.items.plan.diff()
            before["items"] = items_diff["before"]
            after["items"] = items_diff["after"]
        if self.created:
            before = {}
        if self.deleted:
            after = {}
        return {"before": before, "after": after}


# One lock per account for this process, and one file lock per account for this host: held from a list's read to
# its operation's end, so writers queue instead of meeting the account's pending operation.
_ACCOUNT_LOCKS: Dict[str, threading.Lock] = {}
_ACCOUNT_LOCKS_GUARD = threading.Lock()


@contextmanager
def account_write_lock(account_id: str, deadline: float, clock: Clock) -> Iterator[None]:
    """Hold the account's write lock, waiting at most until ``deadline`` (on ``clock``) for another writer."""
    with _ACCOUNT_LOCKS_GUARD:
        lock = _ACCOUNT_LOCKS.setdefault(account_id, threading.Lock())
    if not lock.acquire(timeout=max(0.0, deadline - clock())):
        raise _queue_timeout(account_id, "this process")
    try:
        with account_lock(account_id, deadline, clock, clock.sleep) as held:
            if held is False:
                raise _queue_timeout(account_id, "another process on this host")
            yield
    finally:
        lock.release()


def _queue_timeout(account_id: str, holder: str) -> WaitTimeoutError:
    return WaitTimeoutError(
        f"A write to account {account_id} from {holder} was still running at the deadline; Cloudflare runs one "
        "bulk operation at a time per account. Raise wait_timeout.",
        timeout=0.0,
    )


def call_deadline(client: CloudflareClient, timeout: float) -> float:
    """The end of a call given ``timeout`` seconds: every read, write and wait of it ends by then.

    No floor is added: the one floor left is the client's, for each HTTP attempt (``transport.ATTEMPT_FLOOR``,
    1 s), and an attempt cut off at the deadline says so in its error.
    """
    return client.clock() + timeout


def apply_items(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    desired: Sequence[ListItem],
    mode: str = EXACT,
    options: Optional[SyncOptions] = None,
    *,
    deadline: Optional[float] = None,
    owned_keys: Optional[Iterable[str]] = None,
    recorder: Optional[StepRecorder] = None,
) -> ItemsOutcome:
    """Make ``facts``' list hold ``desired`` in ``mode``: read, plan, guard, write the difference, wait, verify.

    The plan's writes (``ItemsPlan.writes``: a ``POST`` of additions and updates, then a ``DELETE`` of removals,
    or one ``PUT`` when nothing stays) are sent in order under the account's write lock, each waited on. After a
    write that may have been applied, or a 429 because another writer's operation holds the account, the list is
    read and planned again, never resent as it was. ``owned_keys`` (``present`` only): the caller's items from an
    earlier run; those not desired now are removed (see ``plan``).

    Raises ``GuardError`` (nothing written), ``OperationFailedError`` and ``WaitTimeoutError`` (with a hint that
    says which writes were applied), ``VerificationError``, or the API's errors, each with its ``partial``.
    ``recorder``: the calling function's, when this is part of a larger call.
    """
    options = options or SyncOptions()
    recorder = recorder or StepRecorder(options.on_step)
    with recorder.attached():
        return _apply_items(client, account_id, facts, desired, mode, options, deadline, owned_keys, recorder)


def _apply_items(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    desired: Sequence[ListItem],
    mode: str,
    options: SyncOptions,
    deadline: Optional[float],
    owned_keys: Optional[Iterable[str]],
    recorder: StepRecorder,
) -> ItemsOutcome:
    account_id, mode = validate_account_id(account_id), validate_mode(mode)
    refuse_empty_exact(mode, desired, options.allow_empty)
    deadline = call_deadline(client, options.policy.timeout) if deadline is None else deadline
    recorder.note(list=facts)
    first: Optional[ItemsPlan] = None
    sent: List[WriteOutcome] = []
    ambiguous_writes = 0
    while True:
        pause = AMBIGUOUS_PAUSE
        with account_write_lock(account_id, deadline, client.clock):
            current = read_items(client, account_id, facts, deadline=deadline)
            items_plan = plan(current, desired, mode, owned_keys=owned_keys)
            if first is None:
                refuse_unless_as_saved(options.saved_plan, current, items_plan, f"{facts.name!r} ({facts.id})")
                recorder.note(plan=items_plan)
            first = first or items_plan
            refuse_too_many_removals(items_plan, options.max_removals, facts.name)
            if not items_plan.changed or options.check_mode:
                # No change now, after a write that may have been applied, means that it was.
                return ItemsOutcome(
                    first,
                    sent[-1].operation if sent else None,
                    items_plan.after,
                    changed=first.changed,
                    verified=not options.check_mode,
                    writes=tuple(sent),
                )
            try:
                _send_writes(client, account_id, facts, items_plan, options, deadline, sent, recorder)
            except AmbiguousWriteError as exc:
                ambiguous_writes += 1
                if ambiguous_writes >= MAX_WRITES:
                    exc.hint = _applied_hint(
                        sent, "Run again: it re-reads the list and writes only what remains, never the same twice."
                    )
                    raise
            except RetryLaterError as exc:
                # A 429: another writer's operation holds the account (or the rate limit); nothing of this write
                # was applied, so wait as asked and plan again, within the deadline.
                pause = exc.retry_after if exc.retry_after is not None else AMBIGUOUS_PAUSE
                if client.clock() + pause > deadline:
                    exc.hint = _applied_hint(sent, "Raise wait_timeout, or run again later.")
                    raise
            else:
                operation = sent[-1].operation
                if not options.wait:
                    return ItemsOutcome(
                        first, operation, items_plan.after, changed=True, verified=False, writes=tuple(sent)
                    )
                after, list_after = verify_items(client, account_id, facts, items_plan, operation, deadline=deadline)
                recorder.note(list=list_after)
                return ItemsOutcome(
                    first, operation, after, changed=True, verified=True, writes=tuple(sent), list=list_after
                )
        client.clock.sleep(max(0.0, min(pause, deadline - client.clock())))


def _send_writes(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    items_plan: ItemsPlan,
    options: SyncOptions,
    deadline: float,
    sent: List[WriteOutcome],
    recorder: StepRecorder,
) -> None:
    """Send the plan's writes in order, each waited on (the last only when ``options.wait``); append to ``sent``,
    and tell ``recorder`` of each as it is sent and checked."""
    writes = items_plan.writes
    recorder.note(not_sent=writes)
    for index, write in enumerate(writes):
        operation_id = send_write(client, account_id, facts, write, deadline=deadline)
        recorder.sent(write, operation_id, not_sent=writes[index + 1 :])
        wait = options.wait or index < len(writes) - 1
        try:
            operation = _finish(client, account_id, operation_id, options, wait, deadline, recorder)
        except OperationFailedError as exc:
            recorder.seen(exc.facts)
            reason = ((exc.facts.error if exc.facts else None) or "Cloudflare gave no reason").rstrip(".")
            raise OperationFailedError(
                f"The {write.describe()} to list {facts.name!r} ({facts.id}) failed in bulk operation "
                f"{operation_id}: {reason}.",
                facts=exc.facts,
                checks=exc.checks,
                elapsed=exc.elapsed,
                hint=_applied_hint(
                    sent,
                    "Fix the cause and run again."
                    + ("" if sent else " The list's items are as they were: a write is applied whole or not at all."),
                    not_applied=writes[index + 1 :],
                ),
            ) from None
        except WaitTimeoutError as exc:
            recorder.seen(exc.facts)
            exc.hint = _applied_hint(
                sent,
                f"Cloudflare applies the {write.describe()} once it runs; run again to converge (a rerun re-reads "
                "the list and writes only what remains), or raise wait_timeout.",
                not_applied=writes[index + 1 :],
            )
            raise
        recorder.seen(operation)
        sent.append(WriteOutcome(write.method, len(write.items), operation))


def _applied_hint(sent: Sequence[WriteOutcome], advice: str, not_applied: Sequence[PlannedWrite] = ()) -> str:
    """``advice``, then which writes of this run were applied before the failure and which were not sent."""
    parts = [advice]
    if sent:
        parts.append(
            "Applied before it: "
            + ", ".join(f"{w.method} of {w.items} items (operation {w.operation.id})" for w in sent)
            + "."
        )
    if not_applied:
        parts.append("Not sent: " + ", ".join(write.describe() for write in not_applied) + ".")
    return " ".join(parts)


def _finish(
    client: CloudflareClient,
    account_id: str,
    operation_id: str,
    options: SyncOptions,
    wait: bool,
    deadline: float,
    recorder: StepRecorder,
) -> BulkOperationFacts:
    if not wait:
        return get_bulk_operation(client, account_id, operation_id, deadline=deadline)
    remaining = dataclasses.replace(options.policy, timeout=max(0.0, deadline - client.clock()))

    def on_check(progress: WaitProgress) -> None:
        recorder.seen(progress.facts)
        if options.on_progress is not None:
            options.on_progress(progress)

    return wait_for_bulk_operation(client, account_id, operation_id, remaining, on_check).facts


def verify_items(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    items_plan: ItemsPlan,
    operation: BulkOperationFacts,
    *,
    deadline: float,
) -> Tuple[Tuple[ListItem, ...], ListFacts]:
    """Read back what ``items_plan`` changed and check that the list holds it; return its items and facts after.

    The list's ``num_items`` must be the planned count (``exact``), every added or updated item must read back as
    planned, and every removed one must be gone. Those items are looked up one by one with the items endpoint's
    ``search`` while that takes fewer requests than reading the whole list, which is read otherwise.
    """
    list_after = get_list(client, account_id, facts.id, deadline=deadline)
    touched = [item.key for item in items_plan.add] + [change.after.key for change in items_plan.update]
    gone = {item.key for item in items_plan.remove}
    pages = -(-max(len(items_plan.after), list_after.num_items, 1) // PAGE_SIZE)
    if len(touched) + len(gone) < pages:
        by_key: Dict[str, ListItem] = {}
        for key in [*touched, *gone]:
            for item in search_items(client, account_id, facts, key, deadline=deadline):
                if item.key == key:
                    by_key[key] = item
        stays = [item for item in items_plan.after if item.key not in by_key]
        after = tuple(sorted_items([*stays, *(by_key[key] for key in touched if key in by_key)]))
        unexpected = [key for key in gone if key in by_key]
    else:
        by_key = {item.key: item for item in read_items(client, account_id, facts, deadline=deadline)}
        after = tuple(sorted_items(by_key.values()))
        expected_keys = {item.key for item in items_plan.after}
        unexpected = [key for key in by_key if key in gone or (items_plan.mode == EXACT and key not in expected_keys)]
        if items_plan.mode == EXACT:
            touched = list(expected_keys)
    expected = {item.key: item for item in items_plan.after}
    missing = [key for key in touched if key not in by_key or not expected[key].satisfied_by(by_key[key])]
    count = None
    if items_plan.mode == EXACT and list_after.num_items != len(items_plan.after):
        count = f"it holds {list_after.num_items} items, not {len(items_plan.after)}"
    if missing or unexpected or count:
        problems = [
            f"{len(missing)} item(s) missing or different (e.g. {missing[0]})" if missing else "",
            f"{len(unexpected)} unexpected (e.g. {unexpected[0]})" if unexpected else "",
            count or "",
        ]
        raise VerificationError(
            "Bulk operation {} completed, but list {!r} does not read back as planned: {}.".format(
                operation.id, facts.name, "; ".join(problem for problem in problems if problem)
            ),
            facts=operation,
            hint="Another writer may have changed it meanwhile; run again to converge.",
        )
    return after, list_after


def _refuse_another_kind(facts: ListFacts, kind: Optional[str]) -> None:
    """A list found under a name or id must be of the kind asked for, if one was."""
    if kind is not None and facts.kind != kind:
        raise ConflictError(
            f"List {facts.name!r} ({facts.id}) is a list of kind {facts.kind}, not {kind}; a list's kind can't change.",
            hint="Use another name, or delete the list first.",
        )


def _planned_new(desired: Sequence[ListItem]) -> ItemsOutcome:
    """Check mode for a list still to create: every item is an addition."""
    items_plan = plan((), desired, EXACT)
    return ItemsOutcome(items_plan, None, items_plan.after, changed=items_plan.changed, verified=False)


def _count_after_create(desired: Optional[Sequence[ListItem]], options: SyncOptions) -> int:
    """How many items a new list holds as the real run reports it: without a wait, as created (its items' write
    still pending), so check mode says what the real run will."""
    return len(desired or ()) if options.wait else 0


def create_list_with_items(
    client: CloudflareClient,
    account_id: str,
    name: str,
    kind: str,
    description: Optional[str],
    desired: Optional[Sequence[ListItem]],
    options: SyncOptions,
    *,
    deadline: float,
    recorder: Optional[StepRecorder] = None,
) -> Tuple[ListFacts, Optional[ItemsOutcome]]:
    """Create a list and write its items; if the items' write fails, delete the list again, so the account is as
    it was. Returns the list after and what was done to its items (None when ``desired`` is None). An error's
    ``partial`` says whether the list is still there (``created``)."""
    recorder = recorder or StepRecorder(options.on_step)
    with recorder.attached():
        facts = create_list(client, account_id, name, kind, description, deadline=deadline)
        recorder.note(list=facts, created=True, changed=True)
        if not desired:
            return facts, None if desired is None else _planned_new(())
        try:
            outcome = apply_items(
                client, account_id, facts, desired, EXACT, options, deadline=deadline, recorder=recorder
            )
        except CloudflareListsError as failure:
            if _delete_created(client, account_id, facts, deadline, failure):
                recorder.note(list=None, created=False, changed=False)
            raise
        return outcome.list or facts, outcome


def _delete_created(
    client: CloudflareClient, account_id: str, facts: ListFacts, deadline: float, failure: CloudflareListsError
) -> bool:
    """Delete the list a failed call created, within the call's deadline, or say in ``failure``'s hint that it is
    still there (a call that ran out of time leaves it: the deadline is the caller's, not ours to extend).
    Returns whether it was deleted."""
    earlier = failure.hint + " " if failure.hint else ""
    still_there = f"{earlier}The new list {facts.name!r} ({facts.id}) is still there"
    if client.clock() >= deadline:
        failure.hint = f"{still_there}, as the time ran out; delete it, or run again to fill it."
        return False
    try:
        delete_list(client, account_id, facts, deadline=deadline)
    except CloudflareListsError as exc:
        failure.hint = f"{still_there} ({exc.message}); delete it, or run again to fill it."
        return False
    failure.hint = f"{earlier}The new list {facts.name!r} was deleted again, so the account is as it was."
    return True


def update_list(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    *,
    description: Optional[str] = None,
    desired: Optional[Sequence[ListItem]] = None,
    mode: str = EXACT,
    options: Optional[SyncOptions] = None,
    deadline: Optional[float] = None,
    recorder: Optional[StepRecorder] = None,
) -> ListOutcome:
    """An existing list: its description (None leaves it) and items (None leaves them), in ``mode``."""
    options = options or SyncOptions()
    deadline = call_deadline(client, options.policy.timeout) if deadline is None else deadline
    if desired is not None:
        refuse_empty_exact(mode, desired, options.allow_empty)
    recorder = recorder or StepRecorder(options.on_step)
    recorder.note(list=facts)
    description_before = facts.description
    description_changed = description is not None and description != facts.description
    if description_changed and not options.check_mode:
        with recorder.attached():
            facts = update_description(client, account_id, facts.id, description or "", deadline=deadline)
        recorder.note(list=facts, changed=True)
    items_outcome = None
    if desired is not None:
        items_outcome = apply_items(
            client, account_id, facts, desired, mode, options, deadline=deadline, recorder=recorder
        )
        facts = items_outcome.list or facts
    return ListOutcome(
        list=facts,
        changed=description_changed or bool(items_outcome and items_outcome.changed),
        description_before=description_before,
        description_after=description if description is not None and options.check_mode else facts.description,
        items=items_outcome,
    )


def sync_list(
    client: CloudflareClient,
    account_id: str,
    name: str,
    *,
    kind: Optional[str] = None,
    description: Optional[str] = None,
    items: Optional[Sequence[Any]] = None,
    mode: str = EXACT,
    state: str = "present",
    options: Optional[SyncOptions] = None,
    adopt: bool = True,
    deadline: Optional[float] = None,
) -> ListOutcome:
    """One list by name: present (created if missing, given ``kind``) with its description and items, or absent.

    ``items`` None leaves the items alone; a list, parsed before any request when ``kind`` is given, is applied
    in ``mode``. ``description`` None leaves it alone. ``adopt`` False refuses a list that already exists
    (``ConflictError``) instead of managing it. ``deadline`` (see ``call_deadline``): a caller's that began
    before this call, with reads of its own; by default, the policy's timeout from now.
    """
    account_id, name, mode = validate_account_id(account_id), validate_list_name(name), validate_mode(mode)
    options = options or SyncOptions()
    items = None if items is None else list(items)
    if state not in ("present", "absent"):
        raise ValidationError("state", f"expected present or absent, got {state!r}.")
    if kind is not None:
        kind = validate_kind(kind)
    if description is not None:
        description = validate_description(description)
    if items is not None and state == "present":
        refuse_empty_exact(mode, items, options.allow_empty)
    desired = parse_items(kind, items) if kind is not None and items is not None else None
    deadline = call_deadline(client, options.policy.timeout) if deadline is None else deadline
    recorder = StepRecorder(options.on_step)  # shared by the calls below, each of which gives errors its partial

    facts = find_list(client, account_id, name, deadline=deadline)
    if state == "absent":
        if facts is not None and not options.check_mode:
            delete_list(client, account_id, facts, deadline=deadline)
        elif facts is not None:
            refuse_if_in_use(facts)
        return ListOutcome(
            list=None,
            changed=facts is not None,
            deleted=facts is not None,
            description_before=facts.description if facts else None,
            deleted_list=facts,
        )

    if facts is None:
        if kind is None:
            raise ValidationError(
                "kind",
                f"account {account_id} has no list named {name!r}; give its kind (ip, hostname, asn or "
                "redirect) to create it.",
            )
        if options.check_mode:
            return ListOutcome(
                list=None,
                changed=True,
                created=True,
                description_after=description or "",
                items=None if desired is None else _planned_new(desired),
                planned_list=PlannedList(name, kind, description or "", _count_after_create(desired, options)),
            )
        facts, items_outcome = create_list_with_items(
            client, account_id, name, kind, description, desired, options, deadline=deadline, recorder=recorder
        )
        return ListOutcome(
            list=facts, changed=True, created=True, description_after=facts.description, items=items_outcome
        )
    if not adopt:
        raise ConflictError(
            f"Account {account_id} already has a list named {name!r} ({facts.id}).",
            hint="Choose another name, or adopt the existing list (adopt) to manage it here.",
        )
    _refuse_another_kind(facts, kind)
    if desired is None and items is not None:
        desired = parse_items(facts.kind, items)
    return update_list(
        client,
        account_id,
        facts,
        description=description,
        desired=desired,
        mode=mode,
        options=options,
        deadline=deadline,
        recorder=recorder,
    )


def sync_items(
    client: CloudflareClient,
    account_id: str,
    reference: str,
    items: Sequence[Any],
    mode: str = EXACT,
    *,
    kind: Optional[str] = None,
    options: Optional[SyncOptions] = None,
    owned_keys: Optional[Iterable[str]] = None,
    deadline: Optional[float] = None,
) -> Tuple[Optional[ListFacts], ItemsOutcome]:
    """The items of the list ``reference`` (an id or a name) in ``mode``.

    With ``kind``, items are parsed before any request, and a missing list of that name is created (in check
    mode, planned as created; deleted again if its first write fails). ``owned_keys``: see ``apply_items``;
    ``deadline``: see ``sync_list``. Returns the list after (None in check mode for a list still to create).
    """
    account_id, mode = validate_account_id(account_id), validate_mode(mode)
    options = options or SyncOptions()
    items = list(items)
    refuse_empty_exact(mode, items, options.allow_empty)
    desired: Optional[List[ListItem]] = None
    if kind is not None:
        desired = parse_items(validate_kind(kind), items)
    deadline = call_deadline(client, options.policy.timeout) if deadline is None else deadline
    recorder = StepRecorder(options.on_step)  # shared by the calls below, each of which gives errors its partial
    try:
        facts = resolve_list(client, account_id, reference, deadline=deadline)
    except NotFoundError:
        if kind is None or mode == ABSENT or looks_like_list_id(reference):
            raise  # a missing id is a mistake, never the name of a list to create
        if options.saved_plan is not None:  # a plan to create the list: read no items, so plan from none
            refuse_unless_as_saved(options.saved_plan, (), _planned_new(desired or ()).plan, repr(reference))
        if options.check_mode:
            planned = _planned_new(desired or ())
            new_list = PlannedList(reference, validate_kind(kind), "", _count_after_create(desired, options))
            return None, dataclasses.replace(planned, created=True, planned_list=new_list)
        created, outcome = create_list_with_items(
            client, account_id, reference, kind, None, desired or (), options, deadline=deadline, recorder=recorder
        )
        return created, dataclasses.replace(outcome or _planned_new(()), created=True)
    _refuse_another_kind(facts, kind)
    if desired is None:
        desired = parse_items(facts.kind, items)
    outcome = apply_items(
        client, account_id, facts, desired, mode, options, deadline=deadline, owned_keys=owned_keys, recorder=recorder
    )
    return outcome.list or facts, outcome
