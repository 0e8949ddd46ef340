"""Lists, items and bulk operations of every account, behind one lock.

Operations advance on the injected monotonic clock, lazily: each call first finishes every operation whose time
has come, in due order, so what a client sees depends only on the clock, never on a background thread.
"""

from __future__ import annotations

import base64
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import errors
from .config import EmulatorConfig
from .items import KINDS, ItemError, ValidItem, matches_search, validate_item

LIST_NAME_PATTERN = re.compile(r"^[a-z0-9_]+$")
MAX_LIST_NAME_LENGTH = 50
MAX_DESCRIPTION_LENGTH = 500
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 25
MAX_ITEMS_MESSAGE = "This list is at the maximum number of items"

WRITE_ACTIONS = ("append", "replace", "delete")


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

    def to_json(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"id": self.id, self.field: self.value}
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
    #: Item id -> item, in the order items were first added.
    items: Dict[str, ItemRecord] = field(default_factory=dict)
    #: The operation that holds the list until it finishes; writes meanwhile get 429.
    busy_with: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "num_items": len(self.items),
            "num_referencing_filters": 0,
            "created_on": rfc3339(self.created_on),
            "modified_on": rfc3339(self.modified_on),
        }


@dataclass
class OperationRecord:
    id: str
    account_id: str
    list_id: str
    action: str
    payload: List[Any]
    submitted_at: float
    running_at: float
    due_at: float
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
        if kind not in KINDS:
            raise errors.ApiError(400, errors.LISTS_INVALID_KIND, f"kind: must be one of {', '.join(KINDS)}")
        _check_description(description)
        with self._lock:
            self._advance()
            lists = self._lists(account_id)
            if any(record.name == name for record in lists.values()):
                raise errors.ApiError(400, errors.LISTS_DUPLICATE_NAME, f"name: a list named {name} already exists")
            now = self._wall()
            record = ListRecord(new_id(), name, str(kind), description, now, now)
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
            record = self._list(account_id, list_id)
            # Deleting is a write too: refused while an operation still holds the list.
            self._refuse_if_busy(record)
            del self._lists(account_id)[list_id]
            return {"id": list_id}

    # ----------------------------------------------------------------------------------------- items
    def get_items(
        self, account_id: str, list_id: str, cursor: Optional[str], per_page: Optional[str], search: Optional[str]
    ) -> Tuple[List[Dict[str, Any]], Dict[str, str]]:
        page_size = _page_size(per_page)
        start = _decode_cursor(cursor) if cursor else 0
        with self._lock:
            self._advance()
            items = list(self._list(account_id, list_id).items.values())
        if search:
            items = [item for item in items if matches_search(item.field, item.value, search)]
        page = items[start : start + page_size]
        cursors: Dict[str, str] = {}
        if start > 0:
            cursors["before"] = _encode_cursor(max(0, start - page_size))
        if start + page_size < len(items):
            cursors["after"] = _encode_cursor(start + page_size)
        return [item.to_json() for item in page], cursors

    def get_item(self, account_id: str, list_id: str, item_id: str) -> Dict[str, Any]:
        with self._lock:
            self._advance()
            item = self._list(account_id, list_id).items.get(item_id)
            if item is None:
                raise errors.not_found("list item")
            return item.to_json()

    def submit_write(self, account_id: str, list_id: str, action: str, payload: List[Any]) -> str:
        """Accept a bulk write and return its operation id; the items change only when it completes."""
        if action not in WRITE_ACTIONS:
            raise ValueError(f"unknown write action {action!r}")
        with self._lock:
            self._advance()
            record = self._list(account_id, list_id)
            self._refuse_if_busy(record)
            now = self._clock()
            running_at = now + self._config.pending_seconds
            operation = OperationRecord(
                id=new_id(),
                account_id=account_id,
                list_id=list_id,
                action=action,
                payload=payload,
                submitted_at=now,
                running_at=running_at,
                due_at=running_at + self._config.running_seconds,
            )
            self._operations[operation.id] = operation
            record.busy_with = operation.id
            return operation.id

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
                }
                for operation in self._operations.values()
            ]

    def lists(self, account_id: str) -> Dict[str, Dict[str, Any]]:
        """A snapshot of one account's lists with their items, keyed by list name."""
        with self._lock:
            self._advance()
            return {
                record.name: {**record.to_json(), "items": [item.to_json() for item in record.items.values()]}
                for record in self._lists(account_id).values()
            }

    # -------------------------------------------------------------------------------------- internals
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

    def _refuse_if_busy(self, record: ListRecord) -> None:
        if record.busy_with is not None:
            raise errors.ApiError(
                429,
                errors.LISTS_OPERATION_IN_PROGRESS,
                f"A bulk operation ({record.busy_with}) is still in progress on this list; "
                "wait for it to finish before writing again",
            )

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
        record = self._lists(operation.account_id).get(operation.list_id)
        if record is None:  # cannot happen while busy lists refuse deletion; fail rather than crash
            operation.error = "list not found"
            return
        record.busy_with = None
        try:
            record.items = self._apply(record, operation)
        except ItemError as exc:
            operation.error = str(exc)
            return
        record.modified_on = operation.completed_on

    def _apply(self, record: ListRecord, operation: OperationRecord) -> Dict[str, ItemRecord]:
        """The list's items after the operation, or ItemError: nothing changes unless everything is valid."""
        moment = operation.completed_on
        assert moment is not None
        if operation.action == "delete":
            doomed = {entry["id"] for entry in operation.payload}
            # Unknown ids are ignored, so repeating a delete is harmless.
            return {item_id: item for item_id, item in record.items.items() if item_id not in doomed}
        valid: List[ValidItem] = [validate_item(record.kind, raw, index) for index, raw in enumerate(operation.payload)]
        by_key = {item.key: item for item in record.items.values()}
        result: Dict[str, ItemRecord] = {} if operation.action == "replace" else dict(record.items)
        for new in valid:
            old = by_key.get(new.key)
            if old is None:
                item = ItemRecord(new_id(), new.key, new.field, new.value, new.comment, moment, moment)
                by_key[new.key] = item
            else:
                # Same value again: the service updates the existing item (comment, redirect settings).
                item = ItemRecord(old.id, old.key, old.field, new.value, new.comment, old.created_on, moment)
                by_key[new.key] = item
            result[item.id] = item
        if len(result) > self._config.max_items_per_list:
            raise ItemError(MAX_ITEMS_MESSAGE)
        return result


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
    if not per_page.isdigit() or not 1 <= int(per_page) <= MAX_PER_PAGE:
        raise errors.invalid_request(f"per_page: must be an integer from 1 to {MAX_PER_PAGE}")
    return int(per_page)


# Cursors are opaque to clients; inside they are an offset, tagged so a stray string is refused.
_CURSOR_PREFIX = "emu:"


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        text = ""
    offset = text[len(_CURSOR_PREFIX) :]
    if not text.startswith(_CURSOR_PREFIX) or not offset.isdigit():
        raise errors.invalid_request("cursor: not a cursor this API returned")
    return int(offset)
