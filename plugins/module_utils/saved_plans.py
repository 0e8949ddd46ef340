# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Saved plans: a plan made now, applied later exactly as it was made, or refused if the list or the file changed.

A ``SavedPlan`` holds what a sync was asked (the list, the mode, the desired items and the guards), the plan it
made, a ``fingerprint`` of the list's items as that plan read them (values, comments and Cloudflare's item ids),
and a ``digest`` of the whole document. Reading it back (``from_dict``) refuses, before any request, a document
whose content no longer has its digest: the file was changed after it was made. Applying it re-reads the list
under the account's write lock and plans again from the saved items (``refuse_unless_as_saved``): when the items
read no longer have the fingerprint, the list changed and nothing is written; when the new plan's additions,
updates, removals or writes differ from the saved plan's, nothing is written either. So what is written is the
saved plan, whatever was done to the file. The digest is not a signature (anyone may compute it again): it
catches an edit made by mistake, and the comparison of the plans is the guarantee.

It holds no credential and no base URL: only the account and list ids, names and items. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import GuardError, ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    KINDS,
    MODES,
    ItemsPlan,
    ListItem,
    sorted_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub_data

FORMAT = "cloudflare-lists plan"
# Version 2 added the digest; a file of version 1 is refused, to be made again.
VERSION = 2
# What a saved plan's plan lists, each compared when it is applied.
PLAN_KEYS = ("add", "update", "remove", "writes")
# What to do about any refused saved plan; "plan_out" is named as each adapter calls it.
MAKE_AGAIN = "Make the plan again (sync with plan_out), review it, and apply the new file."


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(items: Sequence[ListItem]) -> str:
    """A digest of a list's items as read: each one's value, comment and id, in a fixed order."""
    rows = [[item.key, item.to_dict(), item.id] for item in sorted_items(items)]
    return _sha256(_canonical_json(rows))


def digest(document: Mapping[str, Any]) -> str:
    """A digest of a saved plan's whole content but its ``digest`` key, in canonical JSON: the same whatever the
    file's layout or key order, and another one for any other value anywhere in it."""
    return _sha256(_canonical_json({key: value for key, value in document.items() if key != "digest"}))


def plan_changes(items_plan: Mapping[str, Any]) -> Tuple[List[str], ...]:
    """A plan's additions, updates and removals (each in canonical form, in a fixed order) and its writes, as
    they are compared: two plans that write the same have the same changes."""
    groups = [sorted(map(_canonical_json, items_plan[key])) for key in ("add", "update", "remove")]
    return (*groups, [_canonical_json(write) for write in items_plan["writes"]])


def refuse_unless_as_saved(
    saved: Optional[SavedPlan], current: Sequence[ListItem], items_plan: ItemsPlan, list_label: str
) -> None:
    """Refuse, before any write, to apply ``saved`` unless the list holds the items it read (``current``, of the
    list ``list_label``) and the plan made from them now (``items_plan``) is the one it saved."""
    if saved is None:
        return
    if fingerprint(current) != saved.fingerprint:
        raise GuardError(
            "plan_file",
            f"The list {list_label} changed since the plan was made (its items are not those the plan read); "
            f"nothing was written. {MAKE_AGAIN}",
            input_at_fault=False,
        )
    if plan_changes(items_plan.to_dict()) != plan_changes(saved.plan):
        raise GuardError(
            "plan_file",
            f"its plan is not the plan its items give for the list {list_label}, which is as the plan read it: "
            f"the file was changed after it was made; nothing was written. {MAKE_AGAIN}",
        )


def refuse_created_since(found: Optional[ListFacts], name: str) -> None:
    """A saved plan that creates a list: a list of that name made meanwhile is not the one it planned."""
    if found is not None:
        raise GuardError(
            "plan_file",
            f"The plan creates list {name!r}, but a list of that name ({found.id}) was made since; nothing was "
            f"written. {MAKE_AGAIN}",
            input_at_fault=False,
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
        document: Dict[str, Any] = {
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
        if scrub_data(document) != document:  # an item as read, or as given, holds a credential: never on disk
            raise ValidationError(
                "plan_out",
                "the plan holds a credential (in an item's value or comment, as read from the list or as given); "
                "nothing was saved. Remove it from the list or the input, then make the plan again.",
            )
        return {**document, "digest": digest(document)}

    @classmethod
    def from_dict(cls, document: Any, parameter: str = "plan_file", source: str = "the file") -> SavedPlan:
        """A saved plan from what ``to_dict`` wrote; anything else is a ``ValidationError`` naming the field, and
        a document changed since (its ``digest`` no longer its content's) one saying that ``source`` was changed."""

        def refuse(problem: str) -> ValidationError:
            return ValidationError(parameter, f"{problem}; give a file that a sync with plan_out wrote.")

        if not isinstance(document, Mapping) or document.get("format") != FORMAT:
            raise refuse("not a saved plan")
        if document.get("version") != VERSION:
            raise ValidationError(
                parameter,
                f"{source} is a saved plan of version {document.get('version')!r}, which this version does not "
                f"apply (it reads version {VERSION}, whose digest shows that the file is as it was made); nothing "
                f"was sent. {MAKE_AGAIN}",
            )
        if document.get("digest") != digest(document):
            raise ValidationError(
                parameter,
                f"{source} was changed after it was made (its content no longer has its digest); nothing was "
                f"sent. {MAKE_AGAIN}",
            )
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
        if not all(isinstance(plan.get(key), list) for key in PLAN_KEYS):
            raise refuse(f"its plan does not list {', '.join(PLAN_KEYS)}")
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
