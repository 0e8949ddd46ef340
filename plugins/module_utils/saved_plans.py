# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Saved plans: a plan made now, applied later exactly as it was made, or refused if the list changed meanwhile.

A ``SavedPlan`` holds what a sync was asked (the list, the mode, the desired items and the guards), the plan it
made, and a ``fingerprint`` of the list's items as that plan read them (values, comments and Cloudflare's item
ids). Applying it re-reads the list under the account's write lock: when the items no longer have that fingerprint
(``SyncOptions.expected_fingerprint``), nothing is written (``refuse_changed_since``). Otherwise the same desired
items, mode and list give the same plan, which is then written.

It holds no credential and no base URL: only the account and list ids, names and items. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import GuardError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    KINDS,
    MODES,
    ListItem,
    sorted_items,
)

FORMAT = "cloudflare-lists plan"
VERSION = 1


def fingerprint(items: Sequence[ListItem]) -> str:
    """A digest of a list's items as read: each one's value, comment and id, in a fixed order."""
    rows = [[item.key, item.to_dict(), item.id] for item in sorted_items(items)]
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def refuse_changed_since(current: Sequence[ListItem], expected: Optional[str], facts: ListFacts) -> None:
    """A saved plan is applied only to the list it read: refuse, before any write, a list whose items changed."""
    if expected is not None and fingerprint(current) != expected:
        raise GuardError(
            "plan_file",
            f"list {facts.name!r} ({facts.id}) changed since the plan was made (its items are not those the plan "
            "read); nothing was written. Make a new plan and review it.",
        )


def refuse_created_since(found: Optional[ListFacts], name: str) -> None:
    """A saved plan that creates a list: a list of that name made meanwhile is not the one it planned."""
    if found is not None:
        raise GuardError(
            "plan_file",
            f"the plan creates list {name!r}, but a list of that name ({found.id}) was made since; nothing was "
            "written. Make a new plan and review it.",
        )


@dataclass(frozen=True)
class SavedPlan:
    """What ``sync --plan-out`` writes and ``apply`` reads. ``list_id`` None: the plan creates the list."""

    account_id: str
    list_id: Optional[str]
    list_name: str
    kind: str
    mode: str
    items: List[Any]
    fingerprint: str
    plan: Dict[str, Any]
    allow_empty: bool = False
    max_removals: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "account_id": self.account_id,
            "list": {"id": self.list_id, "name": self.list_name, "kind": self.kind},
            "mode": self.mode,
            "items": self.items,
            "allow_empty": self.allow_empty,
            "max_removals": self.max_removals,
            "fingerprint": self.fingerprint,
            "plan": self.plan,
        }

    @classmethod
    def from_dict(cls, document: Any, parameter: str = "plan_file") -> SavedPlan:
        """A saved plan from what ``to_dict`` wrote; anything else is a ``ValidationError`` naming the field."""

        def refuse(problem: str) -> ValidationError:
            return ValidationError(parameter, f"{problem}; give a file that a sync with plan_out wrote.")

        if not isinstance(document, Mapping) or document.get("format") != FORMAT:
            raise refuse("not a saved plan")
        if document.get("version") != VERSION:
            raise refuse(f"a saved plan of version {document.get('version')!r}, not {VERSION}")
        listed = document.get("list")
        if not isinstance(listed, Mapping):
            raise refuse("no list in the plan")
        fields: Dict[str, str] = {}
        for name, value in (
            ("account_id", document.get("account_id")),
            ("list_name", listed.get("name")),
            ("kind", listed.get("kind")),
            ("mode", document.get("mode")),
            ("fingerprint", document.get("fingerprint")),
        ):
            if not isinstance(value, str) or not value:
                raise refuse(f"its {name} is missing")
            fields[name] = value
        if fields["kind"] not in KINDS or fields["mode"] not in MODES:
            raise refuse(f"unknown kind {fields['kind']!r} or mode {fields['mode']!r}")
        list_id = listed.get("id")
        items, plan = document.get("items"), document.get("plan")
        max_removals = document.get("max_removals")
        if list_id is not None and not isinstance(list_id, str):
            raise refuse("its list id is not a string")
        if not isinstance(items, list) or not isinstance(plan, Mapping):
            raise refuse("its items or its plan are missing")
        if max_removals is not None and not isinstance(max_removals, str):
            raise refuse("its max_removals is not a string")
        return cls(
            account_id=fields["account_id"],
            list_id=list_id,
            list_name=fields["list_name"],
            kind=fields["kind"],
            mode=fields["mode"],
            items=list(items),
            fingerprint=fields["fingerprint"],
            plan=dict(plan),
            allow_empty=document.get("allow_empty") is True,
            max_removals=max_removals,
        )
