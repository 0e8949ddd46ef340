"""Lists, items and bulk operations of every account, behind one lock.

Operations advance on the injected monotonic clock, lazily: each call first finishes every operation whose time
has come, in due order, so what a client sees depends only on the clock, never on a background thread.

The service's rules kept here:

- one pending bulk operation per account: any item write in the account meanwhile gets 429 with
  ``Retry-After`` (the seconds until that operation finishes), and the list it writes can't be deleted;
- items are validated when the write is accepted; two items with one identity key are a 400 at once, and an
  invalid item fails the operation (or, with ``item_errors="request"``, is a 400 at once);
- an operation applies all of its items or none; one that would take the account past ``max_items_per_account``
  fails with "This list is at the maximum number of items";
- items are read sorted (see :func:`.items.sort_key`) and paged with opaque keyset cursors, so a page boundary
  stays put when items are added or removed elsewhere in the list; ``search`` narrows a read the reference's way
  (IPs by prefix, hostnames and redirects by substring, ASNs exactly), paged the same way;
- a ``POST`` or ``DELETE`` leaves every item it doesn't name as it was (id, ``created_on``, ``modified_on``); a
  ``PUT`` removes every item and adds the given ones, so all get new ids;
- the write quotas per account (item changes and item-writing requests per 12 hours, see :mod:`.quota`): a write
  past either gets 429 with code ``LISTS_WRITE_QUOTA_EXCEEDED``, a message naming the quota and ``Retry-After``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import math
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import errors
from .config import EmulatorConfig
from .items import (
    KINDS,
    ItemError,
    SortKey,
    ValidItem,
    duplicate_keys,
    matches_search,
    redirect_defaults,
    sort_key,
    validate_item,
)
from .quota import METHODS, WriteQuotas, describe_refusal

LIST_NAME_PATTERN = re.compile(r"^[a-z0-9_]+$")
MAX_LIST_NAME_LENGTH = 50
MAX_DESCRIPTION_LENGTH = 500
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 25
MAX_ITEMS_MESSAGE = "This list is at the maximum number of items"
MAX_CURSOR_LENGTH = 1024

WRITE_ACTIONS = ("append", "replace", "delete")

_PER_PAGE = re.compile(r"[0-9]{1,6}")


def new_id() -> str:
    return uuid.uuid4().hex


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class ItemRecord:
    id: str
    key: str
    field: str
    value: Any
    comment: Optional[str]
    created_on: datetime
    modified_on: datetime
    sort_key: SortKey

    def to_json(self) -> Dict[str, Any]:
        """The read shape. ``hostname`` and ``redirect`` are always there, ``{}`` unless they are the item's own.

        Cloudflare sends ``hostname: {}`` and ``redirect: {}`` with every ``ip`` item (terraform-provider-cloudflare
        #7166). For the other kinds nothing is published; the emulator assumes the same serializer (an empty
        object for each object field that isn't the item's), so clients must treat ``{}`` as absent.
        """
        value = dict(self.value) if isinstance(self.value, dict) else self.value
        body: Dict[str, Any] = {"id": self.id, self.field: value}
        for placeholder in ("hostname", "redirect"):
            body.setdefault(placeholder, {})
        if self.comment is not None:
            body["comment"] = self.comment
        body["created_on"] = rfc3339(self.created_on)
        body["modified_on"] = rfc3339(self.modified_on)
        return body


@dataclass
class ListRecord:
    id: str
    name: str
    kind: str
    description: str
    created_on: datetime
    modified_on: datetime
    #: Item id -> item.
    items: Dict[str, ItemRecord] = field(default_factory=dict)
    #: How many rules (filters) use the list: the emulator has no rules, so tests set it (``use_list``).
    num_referencing_filters: int = 0
    #: The items in read order, and their sort keys, rebuilt whenever ``items`` changes.
    ordered: List[ItemRecord] = field(default_factory=list)
    keys: List[SortKey] = field(default_factory=list)
    #: For searching IPs by prefix and ASNs exactly without a scan: each item's value as text, in text order.
    #: Built on the first search after a change.
    _texts: Optional[List[str]] = field(default=None, init=False, repr=False)
    _by_text: Optional[List[ItemRecord]] = field(default=None, init=False, repr=False)

    def set_items(self, items: Dict[str, ItemRecord]) -> None:
        self.items = items
        self.ordered = sorted(items.values(), key=lambda item: item.sort_key)
        self.keys = [item.sort_key for item in self.ordered]
        self._texts = self._by_text = None

    def search(self, text: str) -> List[ItemRecord]:
        """The items ``text`` finds (see :func:`.items.matches_search`), in read order."""
        if self.kind not in ("ip", "asn"):
            return [item for item in self.ordered if matches_search(item.field, item.value, text)]
        if self._texts is None or self._by_text is None:
            self._by_text = sorted(self.ordered, key=lambda item: str(item.value))
            self._texts = [str(item.value) for item in self._by_text]
        start = bisect.bisect_left(self._texts, text)
        end = start
        while end < len(self._texts) and self._texts[end].startswith(text):
            end += 1
        found = [item for item in self._by_text[start:end] if matches_search(item.field, item.value, text)]
        return sorted(found, key=lambda item: item.sort_key)

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "num_items": len(self.items),
            "num_referencing_filters": self.num_referencing_filters,
            "created_on": rfc3339(self.created_on),
            "modified_on": rfc3339(self.modified_on),
        }


@dataclass
class OperationRecord:
    id: str
    account_id: str
    list_id: str
    action: str
    #: For append and replace, the validated items; for delete, the item ids.
    items: List[ValidItem]
    ids: List[str]
    submitted_at: float
    running_at: float
    due_at: float
    #: Items (or ids) the write carried, and the item changes it counted against the account's quota.
    carried: int = 0
    item_changes: int = 0
    #: An invalid item found when the write was accepted: the operation will fail with this.
    invalid: Optional[str] = None
    finished: bool = False
    error: Optional[str] = None
    completed_on: Optional[datetime] = None


class ListsState:
    """The service's data. Every public method takes the lock, finishes due operations, then acts."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._accounts: Dict[str, Dict[str, ListRecord]] = {}
        self._operations: Dict[str, OperationRecord] = {}
        #: Account id -> its one unfinished bulk operation.
        self._pending: Dict[str, OperationRecord] = {}
        #: Operations that failed because applying them raised something unexpected: always 0 unless a bug.
        self.internal_errors = 0
        self._quotas = WriteQuotas(
            config.write_quota_item_changes, config.write_quota_requests, config.write_quota_window_seconds
        )
        self._redirect_defaults = redirect_defaults(preserve_path_suffix=config.preserve_path_suffix_default)
        # Wall time follows the injected clock, so a test's fake clock also drives timestamps.
        self._clock_origin = clock()
        self._wall_origin = datetime.now(timezone.utc)

    # ----------------------------------------------------------------------------------------- lists
    def list_lists(self, account_id: str) -> List[Dict[str, Any]]:
        with self._lock:
            self._advance()
            return [record.to_json() for record in self._lists(account_id).values()]

    def create_list(self, account_id: str, body: Any) -> Dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.invalid_request("Malformed request body: expected a JSON object with name and kind")
        name, kind, description = body.get("name"), body.get("kind"), body.get("description", "")
        if not isinstance(name, str) or not LIST_NAME_PATTERN.match(name) or len(name) > MAX_LIST_NAME_LENGTH:
            raise errors.ApiError(
                400,
                errors.LISTS_INVALID_NAME,
                f"name: must be 1 to {MAX_LIST_NAME_LENGTH} characters, using only a-z, 0-9 and _",
            )
        if not isinstance(kind, str) or kind not in KINDS:
            raise errors.ApiError(400, errors.LISTS_INVALID_KIND, f"kind: must be one of {', '.join(KINDS)}")
        _check_description(description)
        with self._lock:
            self._advance()
            lists = self._lists(account_id)
            if any(record.name == name for record in lists.values()):
                raise errors.ApiError(400, errors.LISTS_DUPLICATE_NAME, f"name: a list named {name} already exists")
            now = self._wall()
            record = ListRecord(new_id(), name, kind, description, now, now)
            lists[record.id] = record
            return record.to_json()

    def get_list(self, account_id: str, list_id: str) -> Dict[str, Any]:
        with self._lock:
            self._advance()
            return self._list(account_id, list_id).to_json()

    def update_list(self, account_id: str, list_id: str, body: Any) -> Dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.invalid_request("Malformed request body: expected a JSON object")
        with self._lock:
            self._advance()
            record = self._list(account_id, list_id)
            if "description" in body:
                _check_description(body["description"])
                record.description = body["description"]
                record.modified_on = self._wall()
            return record.to_json()

    def delete_list(self, account_id: str, list_id: str) -> Dict[str, Any]:
        with self._lock:
            self._advance()
            self._list(account_id, list_id)
            pending = self._pending.get(account_id)
            if pending is not None and pending.list_id == list_id:
                raise self._pending_error(
                    pending,
                    f"The bulk operation {pending.id} on this list is still pending; delete the list after it "
                    "has finished",
                )
            del self._lists(account_id)[list_id]
            return {"id": list_id}

    # ----------------------------------------------------------------------------------------- items
    def get_items(
        self, account_id: str, list_id: str, cursor: Optional[str], per_page: Optional[str], search: Optional[str]
    ) -> Tuple[List[Dict[str, Any]], Dict[str, str]]:
        page_size = _page_size(per_page)
        with self._lock:
            self._advance()
            record = self._list(account_id, list_id)
            kind, ordered, keys = record.kind, record.ordered, record.keys
            if search:
                ordered = record.search(search)
                keys = [item.sort_key for item in ordered]
        position = _decode_cursor(cursor, kind) if cursor is not None else None
        if position is None:
            start = 0
        elif position[0] == "after":
            start = bisect.bisect_right(keys, position[1])
        else:
            start = max(0, bisect.bisect_left(keys, position[1]) - page_size)
        end = start + page_size
        if position is not None and position[0] == "before":
            end = min(end, bisect.bisect_left(keys, position[1]))
        page = ordered[start:end]
        cursors: Dict[str, str] = {}
        if page and start > 0:
            cursors["before"] = _encode_cursor(kind, "before", page[0].sort_key)
        if page and end < len(ordered):
            cursors["after"] = _encode_cursor(kind, "after", page[-1].sort_key)
        return [item.to_json() for item in page], cursors

    def get_item(self, account_id: str, list_id: str, item_id: str) -> Dict[str, Any]:
        with self._lock:
            self._advance()
            item = self._list(account_id, list_id).items.get(item_id)
            if item is None:
                raise errors.not_found("list item")
            return item.to_json()

    def submit_write(self, account_id: str, list_id: str, action: str, payload: List[Any]) -> str:
        """Accept a bulk write and return its operation id; the items change only when it completes.

        ``payload`` is the items (append, replace) or the item ids (delete).
        """
        if action not in WRITE_ACTIONS:
            raise ValueError(f"unknown write action {action!r}")
        with self._lock:
            self._advance()
            kind = self._writable(account_id, list_id).kind
        # Checking the items takes time in proportion to the body (seconds for megabytes): done outside the lock,
        # so no other request (of this account or any other) waits for it.
        valid: List[ValidItem] = []
        invalid: Optional[str] = None
        if action != "delete":
            valid, invalid = self._check_items(kind, payload)
        with self._lock:
            self._advance()
            record = self._writable(account_id, list_id)  # still there, and still no other write pending
            now = self._clock()
            item_changes = _item_changes(record, action, payload)
            refusal = self._quotas.refusal(account_id, item_changes, now)
            if refusal is not None:
                retry_after = refusal.retry_after if refusal.retry_after is not None else math.ceil(refusal.window)
                raise errors.ApiError(
                    429,
                    errors.LISTS_WRITE_QUOTA_EXCEEDED,
                    describe_refusal(refusal),
                    headers={"Retry-After": str(retry_after)},
                )
            self._quotas.record(account_id, METHODS[action], len(payload), item_changes, now)
            running_at = now + self._config.pending_seconds
            operation = OperationRecord(
                id=new_id(),
                account_id=account_id,
                list_id=list_id,
                action=action,
                items=valid,
                ids=list(payload) if action == "delete" else [],
                submitted_at=now,
                running_at=running_at,
                due_at=running_at + self._config.running_seconds,
                carried=len(payload),
                item_changes=item_changes,
                invalid=invalid,
            )
            self._operations[operation.id] = operation
            self._pending[account_id] = operation
            return operation.id

    def _writable(self, account_id: str, list_id: str) -> ListRecord:
        """The list, if a write to it may be accepted now: 404 without it, 429 while another write is pending."""
        record = self._list(account_id, list_id)
        pending = self._pending.get(account_id)
        if pending is not None:
            raise self._pending_error(
                pending,
                "There is a limit of 1 pending bulk operation per account: the bulk operation "
                f"{pending.id} is still pending; retry after it has finished",
            )
        return record

    # ------------------------------------------------------------------------------------ operations
    def get_operation(self, account_id: str, operation_id: str) -> Dict[str, Any]:
        """One of the three current shapes: pending/running, completed, failed."""
        with self._lock:
            self._advance()
            operation = self._operations.get(operation_id)
            if operation is None or operation.account_id != account_id:
                raise errors.not_found("bulk operation")
            return self._operation_json(operation)

    def operations(self) -> List[Dict[str, Any]]:
        """A snapshot of every operation still kept, for tests and debugging."""
        with self._lock:
            self._advance()
            return [
                {
                    **self._operation_json(operation),
                    "account_id": operation.account_id,
                    "list_id": operation.list_id,
                    "action": operation.action,
                    "method": METHODS[operation.action],
                    "items": operation.carried,
                    "item_changes": operation.item_changes,
                }
                for operation in self._operations.values()
            ]

    def write_stats(self) -> Dict[str, Any]:
        """Per account: the writes accepted (requests, items carried, item changes; also by HTTP method) and the
        write quotas' use in the window now (see :meth:`.quota.WriteQuotas.stats`)."""
        with self._lock:
            return self._quotas.stats(self._clock())

    def lists(self, account_id: str) -> Dict[str, Dict[str, Any]]:
        """A snapshot of one account's lists with their items in read order, keyed by list name."""
        with self._lock:
            self._advance()
            return {
                record.name: {**record.to_json(), "items": [item.to_json() for item in record.ordered]}
                for record in self._lists(account_id).values()
            }

    def use_list(self, account_id: str, name: str, filters: int) -> None:
        """Say that ``filters`` rules use the list ``name``, as Cloudflare's ``num_referencing_filters`` reports."""
        with self._lock:
            (record,) = [record for record in self._lists(account_id).values() if record.name == name]
            record.num_referencing_filters = filters

    # -------------------------------------------------------------------------------------- internals
    def _check_items(self, kind: str, payload: List[Any]) -> Tuple[List[ValidItem], Optional[str]]:
        """The valid items and the first invalid item's message; 400 for duplicate keys (or, if so configured,
        for an invalid item)."""
        valid: List[Tuple[int, ValidItem]] = []
        invalid: Optional[str] = None
        for index, raw in enumerate(payload):
            try:
                valid.append((index, validate_item(kind, raw, index, defaults=self._redirect_defaults)))
            except ItemError as exc:
                invalid = invalid or str(exc)
        duplicate = duplicate_keys(valid)
        if duplicate is not None:
            first, second, key = duplicate
            raise errors.ApiError(
                400,
                errors.LISTS_DUPLICATE_ITEMS,
                f"list items at index {first} and {second} are the same item ({_shorten(key)}): send each item once",
            )
        if invalid is not None and self._config.item_errors == "request":
            raise errors.ApiError(400, errors.LISTS_INVALID_ITEM, invalid)
        return [item for _, item in valid], invalid

    def _pending_error(self, pending: OperationRecord, message: str) -> errors.ApiError:
        retry_after = max(1, math.ceil(pending.due_at - self._clock()))
        return errors.ApiError(429, errors.LISTS_OPERATION_PENDING, message, headers={"Retry-After": str(retry_after)})

    def _operation_json(self, operation: OperationRecord) -> Dict[str, Any]:
        if not operation.finished:
            status = "pending" if self._clock() < operation.running_at else "running"
            return {"id": operation.id, "status": status}
        assert operation.completed_on is not None
        body: Dict[str, Any] = {
            "id": operation.id,
            "status": "failed" if operation.error else "completed",
            "completed": rfc3339(operation.completed_on),
        }
        if operation.error:
            body["error"] = operation.error
        return body

    def _lists(self, account_id: str) -> Dict[str, ListRecord]:
        return self._accounts.setdefault(account_id, {})

    def _list(self, account_id: str, list_id: str) -> ListRecord:
        record = self._lists(account_id).get(list_id)
        if record is None:
            raise errors.not_found("list")
        return record

    def _wall(self, at: Optional[float] = None) -> datetime:
        moment = self._clock() if at is None else at
        return self._wall_origin + timedelta(seconds=moment - self._clock_origin)

    def _advance(self) -> None:
        now = self._clock()
        due = sorted(
            (op for op in self._operations.values() if not op.finished and op.due_at <= now),
            key=lambda op: op.due_at,
        )
        for operation in due:
            self._finish(operation)
        ttl = self._config.operation_ttl_seconds
        for operation in [op for op in self._operations.values() if op.finished and op.due_at + ttl <= now]:
            del self._operations[operation.id]

    def _finish(self, operation: OperationRecord) -> None:
        operation.finished = True
        operation.completed_on = self._wall(operation.due_at)
        if self._pending.get(operation.account_id) is operation:
            del self._pending[operation.account_id]
        record = self._lists(operation.account_id).get(operation.list_id)
        if record is None:  # cannot happen while a pending list refuses deletion; fail rather than crash
            operation.error = "list not found"
            return
        try:
            items = self._apply(record, operation)
        except ItemError as exc:
            operation.error = str(exc)
            return
        except Exception:  # a bug must fail the operation, never lose the write silently
            self.internal_errors += 1
            operation.error = "internal error: the operation was not applied"
            return
        record.set_items(items)
        record.modified_on = operation.completed_on

    def _apply(self, record: ListRecord, operation: OperationRecord) -> Dict[str, ItemRecord]:
        """The list's items after the operation, or ItemError: nothing changes unless everything is valid."""
        if operation.invalid is not None:
            raise ItemError(operation.invalid)
        moment = operation.completed_on
        assert moment is not None
        if operation.action == "delete":
            doomed = set(operation.ids)
            # Unknown ids are ignored, so repeating a delete is harmless.
            return {item_id: item for item_id, item in record.items.items() if item_id not in doomed}
        # PUT replaces every item: all get new ids. POST replaces an item with the same key in place: its id and
        # created_on stay, its value and comment (also when the write has none) are the write's.
        by_key = {} if operation.action == "replace" else {item.key: item for item in record.items.values()}
        result: Dict[str, ItemRecord] = {} if operation.action == "replace" else dict(record.items)
        for new in operation.items:
            old = by_key.get(new.key)
            item_id, created = (old.id, old.created_on) if old is not None else (new_id(), moment)
            result[item_id] = ItemRecord(
                item_id, new.key, new.field, new.value, new.comment, created, moment, sort_key(new.field, new.value)
            )
        elsewhere = sum(len(other.items) for other in self._lists(operation.account_id).values() if other is not record)
        if elsewhere + len(result) > self._config.max_items_per_account:
            raise ItemError(MAX_ITEMS_MESSAGE)
        return result


def _item_changes(record: ListRecord, action: str, payload: List[Any]) -> int:
    """What a write counts against the item-change quota: a PUT removes every item and adds the given ones."""
    if action == "append":
        return len(payload)
    if action == "replace":
        return len(record.items) + len(payload)
    return len(set(payload) & record.items.keys())


def _check_description(description: Any) -> None:
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
        raise errors.ApiError(
            400,
            errors.LISTS_INVALID_DESCRIPTION,
            f"description: must be a string of at most {MAX_DESCRIPTION_LENGTH} characters",
        )


def _page_size(per_page: Optional[str]) -> int:
    if per_page is None:
        return DEFAULT_PER_PAGE
    # ASCII digits only: str.isdigit() also takes superscripts and other scripts' digits, which int() refuses.
    if not _PER_PAGE.fullmatch(per_page) or not 1 <= int(per_page) <= MAX_PER_PAGE:
        raise errors.invalid_request(f"per_page: must be an integer from 1 to {MAX_PER_PAGE}")
    return int(per_page)


# Cursors are opaque to clients. Inside: base64url of a JSON array [tag, kind, direction, *sort key], so a page
# boundary is an item's position in the sort order, not an offset that shifts when items come and go.
_CURSOR_TAG = "emu1"
_DIRECTIONS = {"a": "after", "b": "before"}


def _encode_cursor(kind: str, direction: str, key: SortKey) -> str:
    document = json.dumps([_CURSOR_TAG, kind, direction[0], *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, kind: str) -> Tuple[str, SortKey]:
    """(direction, sort key) of a cursor this API returned for a list of ``kind``, else a 400."""
    refused = errors.invalid_request("cursor: not a cursor this API returned for this list")
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise refused
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        document = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):
        raise refused from None
    if not isinstance(document, list) or len(document) < 4 or document[:2] != [_CURSOR_TAG, kind]:
        raise refused
    direction, key = _DIRECTIONS.get(document[2]) if isinstance(document[2], str) else None, tuple(document[3:])
    if direction is None or not _is_sort_key(kind, key):
        raise refused
    return direction, key


def _is_sort_key(kind: str, key: Tuple[Any, ...]) -> bool:
    def natural(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if kind == "ip":
        return len(key) == 3 and all(natural(part) for part in key) and key[0] in (4, 6)
    if kind == "asn":
        return len(key) == 1 and natural(key[0])
    return len(key) == 1 and isinstance(key[0], str)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
