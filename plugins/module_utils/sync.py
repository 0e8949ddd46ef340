# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a list hold what it should: read, plan, at most one bulk operation, wait, read back and verify.

- ``apply_items``: one list's items, in a membership mode (``exact``, ``present``, ``absent``).
- ``sync_list``: a list by name (created when missing, deleted with ``state="absent"``), its description and,
  when given, its items.
- ``sync_items``: the items of an existing list, by id or name (created when missing and a kind is given).

Check mode runs the same reads and plan, and stops before the first write. A write that may have been applied
(a timeout, a 5xx) is never resent blindly: the list is read again and a new plan made. Writes to one account
from one process queue on a lock held until their operation finishes, since Cloudflare runs one bulk operation
at a time per account.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    ConflictError,
    NotFoundError,
    OperationPendingError,
    ValidationError,
    VerificationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts, ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ABSENT,
    EXACT,
    ItemsPlan,
    ListItem,
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
    update_description,
    validate_description,
    validate_list_name,
    write_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import account_lock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import validate_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    WaitPolicy,
    WaitProgress,
    wait_until_finished,
)

# Writes after an ambiguous one: each is preceded by a fresh read and plan.
MAX_WRITES = 3
# Pause before re-reading after an ambiguous write, so an accepted write has a chance to show.
AMBIGUOUS_PAUSE = 5.0
# Reads and writes get at least this long, even with a wait_timeout of 0.
MIN_CALL_TIME = 60.0


@dataclass(frozen=True)
class ItemsOutcome:
    """What a sync did to a list's items.

    ``plan``: this run's plan (in check mode, what a real run would do). ``operation``: the facts of the bulk
    operation, or None when nothing was written. ``items``: the list's items after, as read back (predicted in
    check mode, or without waiting). ``changed``: a write was applied, or would be in check mode.
    """

    plan: ItemsPlan
    operation: Optional[BulkOperationFacts]
    items: Tuple[ListItem, ...]
    changed: bool
    verified: bool

    def to_dict(self) -> Dict[str, Any]:
        return {
            "changed": self.changed,
            "plan": self.plan.to_dict(),
            "operation": self.operation.to_dict() if self.operation else None,
        }


@dataclass(frozen=True)
class ListOutcome:
    """What ``sync_list`` did. ``list`` is the list after (None once deleted, or in check mode before it exists)."""

    list: Optional[ListFacts]
    changed: bool
    created: bool = False
    deleted: bool = False
    description_before: Optional[str] = None
    description_after: Optional[str] = None
    items: Optional[ItemsOutcome] = None

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
def account_write_lock(
    account_id: str,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the account's write lock, waiting at most until ``deadline`` for another writer to finish."""
    with _ACCOUNT_LOCKS_GUARD:
        lock = _ACCOUNT_LOCKS.setdefault(account_id, threading.Lock())
    if not lock.acquire(timeout=max(0.0, deadline - clock())):
        raise _queue_timeout(account_id, "this process")
    try:
        with account_lock(account_id, deadline, clock, sleep) as held:
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


def _deadline(client: CloudflareClient, policy: WaitPolicy) -> float:
    return client.clock() + max(policy.timeout, MIN_CALL_TIME)


def apply_items(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    desired: Sequence[ListItem],
    mode: str = EXACT,
    *,
    check_mode: bool = False,
    wait: bool = True,
    policy: Optional[WaitPolicy] = None,
    deadline: Optional[float] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
    owned_keys: Optional[Iterable[str]] = None,
) -> ItemsOutcome:
    """Make ``facts``' list hold ``desired`` in ``mode``, with at most one bulk operation, and verify it.

    ``owned_keys`` (``present`` only): the caller's items from an earlier run; those not desired now are removed
    in the same operation (see ``plan``).

    Raises ``OperationFailedError`` (the list is as it was: each write is one atomic operation),
    ``WaitTimeoutError``, ``VerificationError``, or the API's errors.
    """
    account_id, mode = validate_account_id(account_id), validate_mode(mode)
    policy = policy or WaitPolicy()
    deadline = _deadline(client, policy) if deadline is None else deadline
    first: Optional[ItemsPlan] = None
    ambiguous_writes = 0
    while True:
        pause = AMBIGUOUS_PAUSE
        with account_write_lock(account_id, deadline, client.clock, client.sleep):
            current = read_items(client, account_id, facts, deadline=deadline)
            items_plan = plan(current, desired, mode, owned_keys=owned_keys)
            first = first or items_plan
            if not items_plan.changed or check_mode:
                # No change now, after an ambiguous write, means that write was applied.
                return ItemsOutcome(first, None, items_plan.after, changed=first.changed, verified=not check_mode)
            try:
                operation_id = write_items(client, account_id, facts, items_plan, deadline=deadline)
            except AmbiguousWriteError:
                ambiguous_writes += 1
                if ambiguous_writes >= MAX_WRITES:
                    raise
            except OperationPendingError as exc:
                # Another writer's operation (another process or host) outlasted the client's retries; nothing
                # was applied, so wait for it and plan again, within the deadline.
                pause = exc.retry_after if exc.retry_after is not None else AMBIGUOUS_PAUSE
                if client.clock() + pause > deadline:
                    raise
            else:
                operation = _finish(client, account_id, operation_id, policy, wait, deadline, on_progress)
                if not wait:
                    return ItemsOutcome(first, operation, items_plan.after, changed=True, verified=False)
                after = read_items(client, account_id, facts, deadline=deadline)
                _verify(facts, items_plan, after, operation)
                return ItemsOutcome(first, operation, tuple(sorted_items(after)), changed=True, verified=True)
        client.sleep(max(0.0, min(pause, deadline - client.clock())))


def _finish(
    client: CloudflareClient,
    account_id: str,
    operation_id: str,
    policy: WaitPolicy,
    wait: bool,
    deadline: float,
    on_progress: Optional[Callable[[WaitProgress], None]],
) -> BulkOperationFacts:
    if not wait:
        return client.get_bulk_operation(account_id, operation_id, deadline=deadline)
    remaining = dataclasses.replace(policy, timeout=max(0.0, deadline - client.clock()))
    return wait_until_finished(
        lambda check_deadline: client.get_bulk_operation(account_id, operation_id, deadline=check_deadline),
        remaining,
        clock=client.clock,
        sleep=client.sleep,
        rng=client.rng,
        on_progress=on_progress,
    ).facts


def _verify(facts: ListFacts, items_plan: ItemsPlan, after: Sequence[ListItem], operation: BulkOperationFacts) -> None:
    """The list read back must hold what the plan said: exactly ``after`` in ``exact`` mode, else its changes."""
    by_key = {item.key: item for item in after}
    expected = {item.key: item for item in items_plan.after}
    touched = [item.key for item in items_plan.add] + [change.after.key for change in items_plan.update]
    missing: List[str] = [
        key
        for key in (expected if items_plan.mode == EXACT else touched)
        if key not in by_key or not by_key[key].same_content(expected[key])
    ]
    gone = {item.key for item in items_plan.remove}
    unexpected = [key for key in by_key if key in gone or (items_plan.mode == EXACT and key not in expected)]
    if missing or unexpected:
        raise VerificationError(
            "Bulk operation {} completed, but list {!r} does not read back as planned: {}{}. Another writer may "
            "have changed it meanwhile; run again to converge.".format(
                operation.id,
                facts.name,
                f"{len(missing)} item(s) missing or different (e.g. {missing[0]})" if missing else "",
                ("; " if missing else "") + f"{len(unexpected)} unexpected (e.g. {unexpected[0]})"
                if unexpected
                else "",
            ),
            facts=operation,
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
    check_mode: bool = False,
    wait: bool = True,
    policy: Optional[WaitPolicy] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
) -> ListOutcome:
    """One list by name: present (created if missing, given ``kind``) with its description and items, or absent.

    ``items`` None leaves the items alone; a list, parsed before any request when ``kind`` is given, is applied
    in ``mode``. ``description`` None leaves it alone.
    """
    account_id, name, mode = validate_account_id(account_id), validate_list_name(name), validate_mode(mode)
    if state not in ("present", "absent"):
        raise ValidationError("state", f"expected present or absent, got {state!r}.")
    if kind is not None:
        kind = validate_kind(kind)
    if description is not None:
        description = validate_description(description)
    desired = parse_items(kind, items) if kind is not None and items is not None else None
    policy = policy or WaitPolicy()
    deadline = _deadline(client, policy)

    facts = find_list(client, account_id, name, deadline=deadline)
    if state == "absent":
        if facts is not None and not check_mode:
            delete_list(client, account_id, facts, deadline=deadline)
        elif facts is not None:
            refuse_if_in_use(facts)
        return ListOutcome(
            list=None,
            changed=facts is not None,
            deleted=facts is not None,
            description_before=facts.description if facts else None,
        )

    created = False
    if facts is None:
        if kind is None:
            raise ValidationError(
                "kind",
                f"account {account_id} has no list named {name!r}; give its kind (ip, hostname, asn or "
                "redirect) to create it.",
            )
        created = True
        if check_mode:
            return ListOutcome(
                list=None,
                changed=True,
                created=True,
                description_after=description or "",
                items=None if desired is None else _planned_new(desired),
            )
        facts = create_list(client, account_id, name, kind, description, deadline=deadline)
    else:
        _refuse_another_kind(facts, kind)
    if desired is None and items is not None:
        desired = parse_items(facts.kind, items)

    description_before = facts.description
    description_changed = not created and description is not None and description != facts.description
    if description_changed and not check_mode:
        facts = update_description(client, account_id, facts.id, description or "", deadline=deadline)
    items_outcome = None
    if desired is not None:
        items_outcome = apply_items(
            client,
            account_id,
            facts,
            desired,
            mode,
            check_mode=check_mode,
            wait=wait,
            policy=policy,
            deadline=deadline,
            on_progress=on_progress,
        )
    changed = created or description_changed or bool(items_outcome and items_outcome.changed)
    if items_outcome is not None and items_outcome.operation is not None:
        facts = get_list(client, account_id, facts.id, deadline=deadline)  # num_items and modified_on after
    return ListOutcome(
        list=facts,
        changed=changed,
        created=created,
        description_before=None if created else description_before,
        description_after=description if description is not None and check_mode else facts.description,
        items=items_outcome,
    )


def _refuse_another_kind(facts: ListFacts, kind: Optional[str]) -> None:
    """A list found under a name or id must be of the kind asked for, if one was."""
    if kind is not None and facts.kind != kind:
        raise ConflictError(
            f"List {facts.name!r} ({facts.id}) is a list of kind {facts.kind}, not {kind}; a list's kind can't "
            "change. Use another name, or delete the list first."
        )


def _planned_new(desired: Sequence[ListItem]) -> ItemsOutcome:
    """Check mode for a list still to create: every item is an addition."""
    items_plan = plan((), desired, EXACT)
    return ItemsOutcome(items_plan, None, items_plan.after, changed=items_plan.changed, verified=False)


def sync_items(
    client: CloudflareClient,
    account_id: str,
    reference: str,
    items: Sequence[Any],
    mode: str = EXACT,
    *,
    kind: Optional[str] = None,
    check_mode: bool = False,
    wait: bool = True,
    policy: Optional[WaitPolicy] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
) -> Tuple[Optional[ListFacts], ItemsOutcome]:
    """The items of the list ``reference`` (an id or a name) in ``mode``.

    With ``kind``, items are parsed before any request, and a missing list of that name is created (in check
    mode, planned as created). Returns the list after (None in check mode for a list still to create).
    """
    account_id, mode = validate_account_id(account_id), validate_mode(mode)
    desired: Optional[List[ListItem]] = None
    if kind is not None:
        desired = parse_items(validate_kind(kind), items)
    policy = policy or WaitPolicy()
    deadline = _deadline(client, policy)
    try:
        facts = resolve_list(client, account_id, reference, deadline=deadline)
    except NotFoundError:
        if kind is None or mode == ABSENT or looks_like_list_id(reference):
            raise  # a missing id is a mistake, never the name of a list to create
        if check_mode:
            return None, _planned_new(desired or ())
        facts = create_list(client, account_id, reference, kind, deadline=deadline)
    _refuse_another_kind(facts, kind)
    if desired is None:
        desired = parse_items(facts.kind, items)
    outcome = apply_items(
        client,
        account_id,
        facts,
        desired,
        mode,
        check_mode=check_mode,
        wait=wait,
        policy=policy,
        deadline=deadline,
        on_progress=on_progress,
    )
    if outcome.operation is not None:
        facts = get_list(client, account_id, facts.id, deadline=deadline)
    return facts, outcome
