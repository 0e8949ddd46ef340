"""Cloudflare's write quotas on list items, per account, and the counts of what every write carried.

Cloudflare allows each account 1,000,000 list item changes and 30,000 item-writing requests per 12 hours. How it
counts is not published; the emulator's choices, each on the safe side for a client:

- the window slides: a write counts for ``window`` seconds after it was accepted (not a fixed 12-hour slot);
- a write counts when it is accepted, whether or not its operation then succeeds;
- item changes: a ``POST`` counts each item it carries (new or replacing), a ``DELETE`` each distinct id it names
  that the list holds, and a ``PUT`` every item the list held (all removed) plus every item it carries (all added);
- a write that would go past either quota is refused whole, with nothing counted.

This module is pure bookkeeping on a clock value passed in; :class:`.state.ListsState` calls it under its lock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, Optional, Tuple

#: HTTP method of each write action, the names the counts are reported under.
METHODS = {"append": "POST", "replace": "PUT", "delete": "DELETE"}


@dataclass(frozen=True)
class QuotaRefusal:
    """Why a write is refused: which quota, its limit and use, what the write needs, and when it could fit."""

    #: "item_changes" or "requests".
    quota: str
    limit: int
    used: int
    needed: int
    window: float
    #: Whole seconds until enough of the window's use has expired for this write to fit; None when it never can
    #: (it alone needs more than the quota).
    retry_after: Optional[int]


@dataclass
class _Totals:
    requests: int = 0
    items: int = 0
    item_changes: int = 0

    def add(self, items: int, item_changes: int) -> None:
        self.requests += 1
        self.items += items
        self.item_changes += item_changes

    def to_json(self) -> Dict[str, int]:
        return {"requests": self.requests, "items": self.items, "item_changes": self.item_changes}


@dataclass
class _Account:
    #: (accepted at, item changes) of every write still inside the window, oldest first.
    window: Deque[Tuple[float, int]] = field(default_factory=deque)
    changes_in_window: int = 0
    totals: _Totals = field(default_factory=_Totals)
    by_method: Dict[str, _Totals] = field(default_factory=dict)


class WriteQuotas:
    """The item-change and request quotas of every account over a sliding window, and lifetime write counts."""

    def __init__(self, item_changes: int, requests: int, window: float) -> None:
        self.item_changes = item_changes
        self.requests = requests
        self.window = window
        self._accounts: Dict[str, _Account] = {}

    def refusal(self, account_id: str, item_changes: int, now: float) -> Optional[QuotaRefusal]:
        """Why a write of ``item_changes`` can't be accepted now, or None when it can."""
        account = self._expire(account_id, now)
        used_requests = len(account.window)
        if used_requests + 1 > self.requests:
            return QuotaRefusal(
                "requests", self.requests, used_requests, 1, self.window, self._retry_after(account, 1, now, count=True)
            )
        if account.changes_in_window + item_changes > self.item_changes:
            return QuotaRefusal(
                "item_changes",
                self.item_changes,
                account.changes_in_window,
                item_changes,
                self.window,
                self._retry_after(account, item_changes, now, count=False),
            )
        return None

    def record(self, account_id: str, method: str, items: int, item_changes: int, now: float) -> None:
        """Count an accepted write: ``items`` it carried (items, or ids for a DELETE), ``item_changes`` it makes."""
        account = self._expire(account_id, now)
        account.window.append((now, item_changes))
        account.changes_in_window += item_changes
        account.totals.add(items, item_changes)
        account.by_method.setdefault(method, _Totals()).add(items, item_changes)

    def stats(self, now: float) -> Dict[str, Any]:
        """Per account: writes accepted so far (``requests``, ``items`` carried, ``item_changes``), the same by
        HTTP method, and the quotas' use within the window now."""
        report: Dict[str, Any] = {}
        for account_id in sorted(self._accounts):
            account = self._expire(account_id, now)
            report[account_id] = {
                **account.totals.to_json(),
                "by_method": {method: totals.to_json() for method, totals in sorted(account.by_method.items())},
                "quota": {
                    "window_seconds": self.window,
                    "item_changes": {"used": account.changes_in_window, "limit": self.item_changes},
                    "requests": {"used": len(account.window), "limit": self.requests},
                },
            }
        return report

    def _expire(self, account_id: str, now: float) -> _Account:
        account = self._accounts.setdefault(account_id, _Account())
        while account.window and account.window[0][0] <= now - self.window:
            _, changes = account.window.popleft()
            account.changes_in_window -= changes
        return account

    def _retry_after(self, account: _Account, needed: int, now: float, *, count: bool) -> Optional[int]:
        """Seconds until the oldest writes have left the window and ``needed`` fits (requests when ``count``)."""
        limit = self.requests if count else self.item_changes
        used = len(account.window) if count else account.changes_in_window
        if needed > limit:
            return None
        for accepted_at, changes in account.window:
            used -= 1 if count else changes
            if used + needed <= limit:
                return max(1, math.ceil(accepted_at + self.window - now))
        return max(1, math.ceil(self.window))  # not reached: the window empties before needed > limit


def describe_refusal(refusal: QuotaRefusal) -> str:
    """The 429's message: the quota by name and its numbers first (clients quote the start), then what to do."""
    window = f"{refusal.window / 3600:g} hours" if refusal.window % 3600 == 0 else f"{refusal.window:g} s"
    if refusal.quota == "requests":
        head = (
            f"Write quota exceeded ({refusal.limit:,} item-writing requests per account per {window}): "
            f"{refusal.used:,} were made in the last {window}"
        )
    else:
        head = (
            f"Write quota exceeded ({refusal.limit:,} list item changes per account per {window}): this write makes "
            f"{refusal.needed:,} and {refusal.used:,} were made in the last {window}"
        )
    if refusal.retry_after is None:
        return f"{head}. This write alone is over the quota: split it into smaller writes"
    instead = "send fewer, larger writes" if refusal.quota == "requests" else "write fewer items"
    return f"{head}. Retry after {refusal.retry_after} s, or {instead}"
