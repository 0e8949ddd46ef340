# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The normalized facts about one bulk operation: the one shape every adapter returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Mapping, Optional

PENDING = "pending"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
UNFINISHED_STATUSES = frozenset((PENDING, RUNNING))
FINISHED_STATUSES = frozenset((COMPLETED, FAILED))
KNOWN_STATUSES = UNFINISHED_STATUSES | FINISHED_STATUSES

# RFC 3339 date-time (section 5.6); "T" and "Z" may be lower case per the RFC.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$",
    re.ASCII,  # RFC 3339 digits are ASCII; without this, \d also matches other scripts' digits.
)


def normalize_timestamp(value: str) -> Optional[str]:
    """Return ``value`` as UTC RFC 3339 (``...Z``), or None when it is not an RFC 3339 date-time."""
    match = _RFC3339.fullmatch(value)  # not .match: "$" would also accept a trailing newline
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if int(second) > 60 or (off_m is not None and int(off_m) > 59):
        return None
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        offset = timedelta(0) if zulu else timedelta(hours=int(off_h), minutes=int(off_m))
        if sign == "-":
            offset = -offset
        # Leap seconds (:60) are valid RFC 3339 but not datetime; clamp to :59.
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59), micro, timezone(offset)
        ).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    # Not strftime("%Y"): it does not zero-pad years before 1000 on every platform.
    text = f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


@dataclass(frozen=True)
class BulkOperationFacts:
    """What Cloudflare last said about a bulk operation, normalized.

    ``completed_at`` is UTC RFC 3339 or None; ``error`` is Cloudflare's message for a failed operation.
    """

    id: str
    status: str
    completed_at: Optional[str] = None
    error: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == COMPLETED

    def to_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "finished": self.finished,
            "succeeded": self.succeeded,
            "completed_at": self.completed_at,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BulkOperationFacts:
        """Rebuild facts from ``to_dict`` output (derived keys are recomputed, not trusted)."""
        return cls(
            id=str(data["id"]),
            status=str(data["status"]),
            completed_at=data.get("completed_at"),
            error=data.get("error"),
        )


@dataclass(frozen=True)
class ListFacts:
    """What Cloudflare says about one list. Timestamps are UTC RFC 3339 (or None when absent)."""

    id: str
    name: str
    kind: str
    description: str
    num_items: int
    num_referencing_filters: int
    created_on: Optional[str]
    modified_on: Optional[str]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "num_items": self.num_items,
            "num_referencing_filters": self.num_referencing_filters,
            "created_on": self.created_on,
            "modified_on": self.modified_on,
        }


@dataclass(frozen=True)
class PlannedList:
    """A list that check mode (a dry run, a preview) would create, as far as it is known before it exists.

    ``to_dict`` has ``ListFacts``' keys: what Cloudflare assigns on creation (``id``, ``created_on``,
    ``modified_on``) is None; ``num_items`` is the number of items the run would write, and no rule uses a new list.
    """

    name: str
    kind: str
    description: str
    num_items: int

    def to_dict(self) -> Dict[str, Any]:
        document: Dict[str, Any] = dict.fromkeys(known.name for known in fields(ListFacts))
        document.update(
            name=self.name,
            kind=self.kind,
            description=self.description,
            num_items=self.num_items,
            num_referencing_filters=0,
        )
        return document
