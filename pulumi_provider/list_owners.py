"""Which ``RulesList`` a ``ListItems`` writes to, when the program says so by passing the list's ``list_id``.

Known in the program, before anything is sent to the engine, so that:

- a ``ListItems`` is deleted with its list: when the same deployment deletes the list (a destroy, or a replace
  after a rename), the engine doesn't call the ``ListItems``' delete, which would write to a list about to go;
- a ``RulesList`` that gives its own ``items`` (exactly those, nothing else) and a ``ListItems`` on the same list,
  which would undo each other's writes on every run, are refused before anything is written: the ``ListItems``
  raises, and the ``RulesList``'s registration, which waits for the program's synchronous part to end (its
  ``name`` passes through a gate), fails instead of creating the list.

Only ``rules_list.list_id`` itself is recognized; a value derived from it (``.apply(...)``) is not, and a
``ListItems`` given one is deleted on its own, as any ``ListItems`` on a list made elsewhere.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, Optional, Tuple

import pulumi


class ListOwner:
    """A ``RulesList`` as the ``ListItems`` on its list see it."""

    def __init__(self, name: str, gives_items: bool) -> None:
        self.name = name
        self.gives_items = gives_items
        self.resource: Optional[pulumi.Resource] = None
        self.refused: Optional[str] = None  # why a ListItems on this list was refused, if one was

    def gate(self, value: Any) -> Any:
        """``value`` (an input of the ``RulesList``) once the program's synchronous part has run, or a failure if
        a ``ListItems`` was refused on this list meanwhile."""

        def passed(resolved: Any) -> Any:
            if self.refused is not None:
                raise pulumi.RunError(self.refused)
            return resolved

        return pulumi.Output.from_input(value).apply(passed)


_owners: Dict[int, Tuple[weakref.ref[Any], ListOwner]] = {}


def record_owner(list_id: Any, owner: ListOwner, resource: pulumi.Resource) -> None:
    """``resource`` (the ``RulesList`` ``owner`` describes) has this ``list_id`` output."""
    for key in [key for key, (ref, _) in _owners.items() if ref() is None]:
        del _owners[key]
    owner.resource = resource
    _owners[id(list_id)] = (weakref.ref(list_id), owner)


def owner_of(list_id: Any) -> Optional[ListOwner]:
    """The ``RulesList`` whose ``list_id`` output this is, if it is one."""
    entry = _owners.get(id(list_id))
    if entry is None or entry[0]() is not list_id:
        return None
    return entry[1]


def deleted_with_its_list(
    resource_name: str, list_id: Any, opts: Optional[pulumi.ResourceOptions]
) -> Optional[pulumi.ResourceOptions]:
    """A ``ListItems``' options: deleted with the ``RulesList`` its ``list_id`` comes from (unless ``opts`` name
    another ``deleted_with``). Raises ``pulumi.RunError`` when that list gives its own items."""
    owner = owner_of(list_id)
    if owner is None or owner.resource is None:
        return opts
    if owner.gives_items:
        owner.refused = (
            f"ListItems {resource_name!r} adds items to the list of RulesList {owner.name!r}, which gives its own "
            "items (the list holds exactly those): each would undo the other's writes on every run. Give the items "
            f"to one of them: drop the items of RulesList {owner.name!r} to share its list among ListItems, or move "
            "these items into them. Neither was written."
        )
        raise pulumi.RunError(owner.refused)
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(deleted_with=owner.resource), opts)
