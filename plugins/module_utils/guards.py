# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guards that refuse to destroy a list by accident, checked before any write in every adapter.

- An ``exact`` sync to no items would empty the list: a feed that failed to download, a comment-only file or
  ``[]`` must not do that unless the caller says so (``allow_empty``).
- ``max_removals`` caps what one plan may remove: a count (``50``) or a share of the list as read (``"10%"``).

Pure functions: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import GuardError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import EXACT, ItemsPlan, ListItem

_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
_COUNT = re.compile(r"^\s*([0-9]+)\s*$")


@dataclass(frozen=True)
class RemovalLimit:
    """At most ``count`` removals, or at most ``percent`` % of the items the list holds before the change."""

    count: Optional[int] = None
    percent: Optional[float] = None

    def allows(self, removals: int, before: int) -> bool:
        if self.count is not None:
            return removals <= self.count
        return removals * 100 <= (self.percent or 0.0) * before

    def __str__(self) -> str:
        if self.count is not None:
            return str(self.count)
        return f"{self.percent:g}%"


def parse_max_removals(value: Any) -> Optional[RemovalLimit]:
    """``None`` (no limit), a count (``50`` or ``"50"``) or a percentage (``"10%"``, at most 100)."""
    if value is None or value == "":
        return None
    if isinstance(value, RemovalLimit):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return RemovalLimit(count=value)
    if isinstance(value, str):
        count = _COUNT.fullmatch(value)
        if count:
            return RemovalLimit(count=int(count.group(1)))
        percent = _PERCENT.fullmatch(value)
        if percent and float(percent.group(1)) <= 100:
            return RemovalLimit(percent=float(percent.group(1)))
    raise ValidationError(
        "max_removals",
        f"expected a number of items (such as 50) or a percentage of the list (such as 10%), got {value!r}.",
    )


def refuse_empty_exact(mode: str, desired: Sequence[ListItem], allow_empty: bool) -> None:
    """An ``exact`` sync to no items empties the list: refuse it unless ``allow_empty`` says that is wanted."""
    if mode == EXACT and not desired and not allow_empty:
        raise GuardError(
            "items",
            "no items given, so an exact sync would remove every item of the list; nothing was sent. An empty "
            "input is often a failed download or an empty export.",
            hint="Check the input; to empty the list on purpose, set allow_empty.",
        )


def refuse_too_many_removals(items_plan: ItemsPlan, limit: Optional[RemovalLimit], list_name: str) -> None:
    """A plan that removes more than ``limit`` allows is refused before any write, naming the numbers."""
    if limit is None or limit.allows(len(items_plan.remove), len(items_plan.before)):
        return
    raise GuardError(
        "max_removals",
        f"the plan would remove {len(items_plan.remove)} of the {len(items_plan.before)} items of list "
        f"{list_name!r}, more than max_removals ({limit}) allows; nothing was written.",
        hint="Check the input; if the removals are wanted, raise max_removals.",
    )
