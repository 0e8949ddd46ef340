"""The schemas of ``RulesList`` and ``ListItems``, and their items in the canonical form Cloudflare stores.

Items are compared, checked and recorded as the core's canonical items (``ListItem.to_dict()``, in Cloudflare's
order), so ``10.0.0.1/32`` written in a program and ``10.0.0.1`` read back are one item, and no diff.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    GuardError,
    ItemsValidationError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts, ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.guards import (
    parse_max_removals,
    refuse_empty_exact,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    EXACT,
    KINDS,
    ListItem,
    parse_items,
    sorted_items,
    validate_kind,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    validate_description,
    validate_list_id,
    validate_list_name,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import SyncOptions, call_deadline
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    describe_value,
    validate_wait_timeout,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import DEFAULT_WAIT_TIMEOUT, WaitPolicy

from pulumi_provider.schema import Field, Schema, boolean, is_unknown, plain_numbers, simple


def _item_list(value: Any) -> List[Any]:
    if not isinstance(value, (list, tuple)):
        raise ValidationError(
            "items",
            f"expected a list of items (plain values, or objects with the kind's fields), got {describe_value(value)}.",
        )
    return list(value)


def canonical_items(kind: str, items: Iterable[Any]) -> List[Dict[str, Any]]:
    """The items as Cloudflare stores them, sorted as it sorts them; raises ``ValidationError`` naming ``items[i]``."""
    return [item.to_dict() for item in sorted_items(parse_items(kind, plain_numbers(list(items))))]


def checked_items(kind: str, items: Iterable[Any]) -> List[Dict[str, Any]]:
    """The items as Cloudflare stores them, in the program's order.

    What a resource records as its inputs: the engine shows a diff of inputs position by position, so an item
    edited in the program shows as that one item, and ``10.0.0.1/32`` against ``10.0.0.1`` as no change at all.
    """
    return [item.to_dict() for item in parse_items(kind, plain_numbers(list(items)))]


def in_declared_order(kind: str, items: Sequence[Dict[str, Any]], declared: Any) -> List[Dict[str, Any]]:
    """``items`` (canonical, as read) in the order of ``declared`` (the inputs, or the outputs recorded before),
    the others after them in the order given; as given when ``declared`` is not a valid list of items."""
    try:
        rank = {item.key: index for index, item in enumerate(parse_items(kind, plain_numbers(list(declared or ()))))}
        keys = [item.key for item in parse_items(kind, plain_numbers(list(items)))]
    except (ValidationError, TypeError):
        return list(items)
    order = sorted(range(len(keys)), key=lambda index: (rank.get(keys[index], len(rank)), index))
    return [items[index] for index in order]


def items_of_kind(value: Any, checked: Mapping[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """``RulesList.items``: checked against the list's kind, canonical. Unchecked while the kind is unknown or bad."""
    if value is None:
        return None
    kind = checked.get("kind")
    if kind is None or is_unknown(kind):
        return _item_list(value)
    return checked_items(kind, _item_list(value))


def items_of_some_kind(value: Any, _checked: Mapping[str, Any]) -> List[Any]:
    """``ListItems.items``: the list's kind is known only once it is read, so the items must fit at least one kind.

    The kinds' items don't overlap (an address is no hostname, a number no address), so items that fit exactly
    one kind are recorded canonical in it, as ``RulesList`` records them; create and update parse them for the
    list's kind before any write. When no kind fits, the failure is that of the kind the items fit best (an IP
    list's items fail on their bad items only).
    """
    if value is None:
        raise ValidationError("items", "required: the items this resource adds to the list and owns.")
    items = _item_list(value)
    failures: List[ItemsValidationError] = []
    fitting: List[List[Dict[str, Any]]] = []
    for kind in KINDS:
        try:
            fitting.append(checked_items(kind, items))
        except ItemsValidationError as exc:
            failures.append(exc)
    if len(fitting) == 1:
        return fitting[0]
    if fitting:
        return items  # no item, or items of several kinds at once: the list's kind decides
    raise min(failures, key=lambda exc: len(exc.problems))


def _canonical_for_kind(value: Any, props: Mapping[str, Any]) -> Any:
    kind = props.get("kind")
    if kind not in KINDS:
        return value
    return canonical_items(str(kind), value)


def _account(value: Any) -> str:
    return resolve_account_id(value)


def _wait_timeout(value: Any) -> float:
    return validate_wait_timeout(value)


def _max_removals(value: Any) -> Any:
    """A count or a percentage (``"10%"``), kept as given once valid."""
    limit = parse_max_removals(plain_numbers(value))
    return None if limit is None else str(limit)


_ACCOUNT = Field("account_id", simple(_account), replaces=True)
_WAIT_TIMEOUT = Field("wait_timeout", simple(_wait_timeout), default=DEFAULT_WAIT_TIMEOUT)
_ALLOW_EMPTY = Field("allow_empty", boolean("allow_empty"), default=False)
_MAX_REMOVALS = Field("max_removals", simple(_max_removals))

#: ``bulk_operation``: the facts of the last write (``id``, ``status``, ``finished``, ``succeeded``,
#: ``completed_at``, ``error``), or absent when the resource has written nothing yet.
RULES_LIST = Schema(
    "RulesList",
    inputs=(
        _ACCOUNT,
        Field("name", simple(validate_list_name), replaces=True),
        Field("kind", simple(validate_kind), replaces=True),
        Field("description", simple(validate_description)),
        Field("items", items_of_kind, canonical=_canonical_for_kind, unset_leaves_alone=True),
        _WAIT_TIMEOUT,
        _ALLOW_EMPTY,
        _MAX_REMOVALS,
        # Create takes over an existing list of that name and kind instead of failing. An input, not the engine's
        # import_: the engine reads an imported dynamic resource with no stored properties, so no provider is found.
        Field("adopt", boolean("adopt"), default=False),
    ),
    outputs=("list_id", "num_items", "items", "bulk_operation", "manages_items"),
)

LIST_ITEMS = Schema(
    "ListItems",
    inputs=(
        _ACCOUNT,
        Field("list_id", simple(validate_list_id), replaces=True),
        Field("items", items_of_some_kind, canonical=_canonical_for_kind),
        _WAIT_TIMEOUT,
        _ALLOW_EMPTY,
        _MAX_REMOVALS,
    ),
    outputs=("kind", "items", "bulk_operation"),
)


def _wait_timeout_of(props: Mapping[str, Any]) -> Any:
    value = props.get("wait_timeout")
    return DEFAULT_WAIT_TIMEOUT if value is None else value


def empty_items_failures(inputs: Mapping[str, Any], owned: Any = True) -> List[Tuple[str, str]]:
    """The guard against emptying by accident, at check time so ``pulumi preview`` fails as ``up`` would:
    ``items=[]`` without ``allow_empty``, where there is something to remove (``owned``)."""
    if inputs.get("items") != [] or not owned:
        return []
    try:
        refuse_empty_exact(EXACT, (), bool(inputs.get("allow_empty")))
    except GuardError as exc:
        return [("items", str(exc))]
    return []


def deadline_of(client: CloudflareClient, props: Mapping[str, Any]) -> float:
    """The end of one provider call: the resource's ``wait_timeout`` from now."""
    return call_deadline(client, _wait_timeout_of(props))


def write_options(inputs: Mapping[str, Any]) -> SyncOptions:
    """The core's write options from a resource's checked inputs: its wait and its guards."""
    return SyncOptions.of(
        policy=WaitPolicy(timeout=_wait_timeout_of(inputs)),
        allow_empty=bool(inputs.get("allow_empty")),
        max_removals=inputs.get("max_removals"),
    )


def item_dicts(items: Iterable[ListItem]) -> List[Dict[str, Any]]:
    return [item.to_dict() for item in sorted_items(items)]


def keys_of(kind: str, items: Optional[Sequence[Any]]) -> Set[str]:
    """The identity keys of recorded (canonical) items."""
    return {item.key for item in parse_items(kind, plain_numbers(list(items or ())))}


def operation_output(facts: Optional[BulkOperationFacts], last: Any = None) -> Any:
    """The ``bulk_operation`` output: this write's facts, else the last write's as recorded."""
    return facts.to_dict() if facts is not None else last


def rules_list_outputs(
    inputs: Mapping[str, Any], facts: ListFacts, items: Sequence[Dict[str, Any]], operation: Any
) -> Dict[str, Any]:
    """A ``RulesList``'s state: the list as Cloudflare has it now, its canonical items (in the order of the inputs'
    items, the others after them), the last write's facts, and whether the inputs give the items."""
    return {
        "account_id": inputs["account_id"],
        "name": facts.name,
        "kind": facts.kind,
        "description": facts.description,
        "items": in_declared_order(facts.kind, items, inputs.get("items")),
        "wait_timeout": _wait_timeout_of(inputs),
        "allow_empty": bool(inputs.get("allow_empty")),
        "max_removals": inputs.get("max_removals"),
        "adopt": bool(inputs.get("adopt")),
        "list_id": facts.id,
        "num_items": facts.num_items,
        "bulk_operation": operation,
        "manages_items": inputs.get("items") is not None,
    }


def list_items_outputs(
    inputs: Mapping[str, Any], kind: str, items: Sequence[Dict[str, Any]], operation: Any
) -> Dict[str, Any]:
    """A ``ListItems``' state: its own items as the list holds them now (in the order of the inputs' items), the
    list's kind, the last write's facts."""
    return {
        "account_id": inputs["account_id"],
        "list_id": inputs["list_id"],
        "items": in_declared_order(kind, items, inputs.get("items")),
        "wait_timeout": _wait_timeout_of(inputs),
        "allow_empty": bool(inputs.get("allow_empty")),
        "max_removals": inputs.get("max_removals"),
        "kind": kind,
        "bulk_operation": operation,
    }
