# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every adapter's results share, beyond the facts types' own ``to_dict``: names Jinja reaches, what a write
sent (``WriteOutcome``), and what a call of the write path (``sync.py``) had done when an error or a signal ended it
part-way (``PartialOutcome``, an error's ``partial``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import (
    BulkOperationFacts,
    ListFacts,
    PlannedList,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ItemsPlan, PlannedWrite

# Result keys that Jinja's dot notation cannot reach, since it finds the dictionary's method of that name first
# (``plan.update``, ``lists[0].items``), and the name each is also returned under.
DOT_NAMES = {"update": "change", "items": "list_items"}


def dot_names(document: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """``document`` with each value whose key shadows a dictionary method also under its ``DOT_NAMES`` name."""
    if document is None:
        return None
    result = dict(document)
    for key, name in DOT_NAMES.items():
        if key in result:
            result[name] = result[key]
    return result


@dataclass(frozen=True)
class WriteOutcome:
    """One write that was sent: its method, how many items it wrote or removed, and its operation's facts."""

    method: str
    items: int
    operation: BulkOperationFacts

    def to_dict(self) -> Dict[str, Any]:
        return {"method": self.method, "items": self.items, "operation": self.operation.to_dict()}


@dataclass(frozen=True)
class PartialOutcome:
    """What a call had done when an error (its ``partial``) or a signal ended it part-way.

    ``list``: the list's facts as last read (None before one was found, and once a list this call created was
    deleted again). ``created``: this call created the list, and it is still there. ``changed``: the list changed:
    created, its description updated, or a write applied. ``plan``: the items' first plan, once made. ``writes``:
    the writes sent, in order, each with its operation's facts as last seen: the last may still be pending or
    running, or have failed (one sent but not checked yet is pending, as Cloudflare creates every operation).
    ``not_sent``: the writes of the plan being carried out that were not sent.
    """

    list: Optional[ListFacts] = None
    created: bool = False
    changed: bool = False
    plan: Optional[ItemsPlan] = None
    writes: Tuple[WriteOutcome, ...] = ()
    not_sent: Tuple[PlannedWrite, ...] = ()

    @property
    def items_written(self) -> int:
        """Items written or removed by the writes sent."""
        return sum(write.items for write in self.writes)


def list_result(facts: Optional[ListFacts], planned: Optional[PlannedList] = None) -> Optional[Dict[str, Any]]:
    """A result's ``list``: the list's facts; in check mode, for a list still to create, the list as a real run
    would create it (``PlannedList``: the same keys, what Cloudflare assigns None); None when there is no list."""
    if facts is not None:
        return facts.to_dict()
    return planned.to_dict() if planned is not None else None
