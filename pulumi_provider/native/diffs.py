"""Detailed diffs: which properties, and which items, a change touches, for the engine to show.

The engine shows each path named here: an old value from the resource's outputs, a new one from its checked
inputs. So an item is named by its index in the list it is read from (``items[4]`` removed from the outputs,
``items[0]`` added to the inputs), and a changed comment is that item's old form removed and new form added when
its index differs between the two (an item removed at the index where another is added is one update there).
Items are compared as the core plans a write (canonical, by key), so the items named are exactly those the write
sends.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import EXACT, ListItem, parse_items, plan

from pulumi_provider.schema import Schema, plain_numbers


class Change(enum.Enum):
    ADD = "add"
    DELETE = "delete"
    UPDATE = "update"


#: A path (``description``, ``items[3]``) and what happens there, and whether it replaces the resource.
Detailed = Dict[str, Tuple[Change, bool]]


def detailed_diff(
    schema: Schema, olds: Mapping[str, Any], news: Mapping[str, Any], replaces: Iterable[str]
) -> Detailed:
    """Each changed input of ``news`` (checked inputs) against ``olds`` (outputs), items one by one when both
    sides' items are items of the list's kind (``kind`` in ``news``, else the one recorded in ``olds``)."""
    replacing = set(replaces)
    kind = news.get("kind") or olds.get("kind")
    out: Detailed = {}
    for name in schema.changed(olds, {"kind": kind, **news}):
        replace = name in replacing
        if name == "items" and not replace and isinstance(kind, str):
            per_item = item_changes(kind, olds.get("items"), news.get("items"))
            if per_item is not None:
                out.update({path: (change, False) for path, change in per_item.items()})
                continue
        old, new = olds.get(name), news.get(name)
        out[name] = (Change.ADD if old is None else Change.DELETE if new is None else Change.UPDATE, replace)
    return out


def item_changes(kind: str, olds: Any, news: Any) -> Optional[Dict[str, Change]]:
    """``items[i]`` for each item added (index in ``news``), removed (in ``olds``) or changed; None when either
    side is not a list of valid, distinct items of ``kind`` (the caller then names the whole property)."""
    old_items, new_items = _parsed(kind, olds), _parsed(kind, news)
    if old_items is None or new_items is None:
        return None
    old_index = {item.key: index for index, item in enumerate(old_items)}
    new_index = {item.key: index for index, item in enumerate(new_items)}
    changes = plan(old_items, new_items, EXACT)
    out: Dict[str, Change] = {}

    def put(index: int, change: Change) -> None:
        path = f"items[{index}]"
        out[path] = change if out.get(path, change) is change else Change.UPDATE

    for item in changes.add:
        put(new_index[item.key], Change.ADD)
    for item in changes.remove:
        put(old_index[item.key], Change.DELETE)
    for update in changes.update:
        before, after = old_index[update.before.key], new_index[update.after.key]
        if before == after:
            put(after, Change.UPDATE)
        else:
            put(before, Change.DELETE)
            put(after, Change.ADD)
    return out


def _parsed(kind: str, items: Any) -> Optional[List[ListItem]]:
    if items is None:
        items = []
    if not isinstance(items, Sequence) or isinstance(items, str):
        return None
    try:
        return parse_items(kind, plain_numbers(list(items)))
    except (ValidationError, TypeError, ValueError):
        return None
