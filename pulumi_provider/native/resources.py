"""The native provider's resource types, each the shared provider of a dynamic resource under a package token.

Each type's logic (rules, canonical forms, writes, reads) is its shared provider's, on the same ``Schema``; what
is here is what only the native protocol asks: the token, which outputs a preview can't know, and what an import
by id starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Mapping, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError

from pulumi_provider.bulk_operation import BulkOperationProvider
from pulumi_provider.connection import ConnectedProvider
from pulumi_provider.list_items import ListItemsProvider
from pulumi_provider.list_schema import LIST_ITEMS, RULES_LIST
from pulumi_provider.native.wire import Names
from pulumi_provider.properties import BULK_OPERATION
from pulumi_provider.rules_list import RulesListProvider
from pulumi_provider.schema import Schema

PACKAGE = "cloudflare-lists"


@dataclass(frozen=True)
class ResourceType:
    """One resource type of the package.

    ``written``: outputs a write sets, unknown until it is done (a preview shows them as such). ``nested``: object
    outputs whose keys are named in camelCase too. ``imported``: from an import id, the properties a read starts
    from, and the id itself (or ``ValidationError`` saying which ids this type takes).
    """

    name: str
    schema: Schema
    provider: Callable[[], ConnectedProvider]
    written: Tuple[str, ...]
    imported: Callable[[str], Tuple[str, Dict[str, Any]]]
    nested: FrozenSet[str] = frozenset()

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.name}"

    @property
    def names(self) -> Names:
        outputs = tuple(name for name in self.schema.outputs if name not in self.schema.names)
        return Names(self.schema.names + outputs, self.nested)

    def import_inputs(self, outs: Mapping[str, Any]) -> Dict[str, Any]:
        """The inputs an imported resource is given: each one its outputs hold, unless empty or the default."""
        return {
            field.name: outs[field.name]
            for field in self.schema.inputs
            if outs.get(field.name) not in (None, "", field.default)
        }


def _account_and(what: str, id_: str) -> Tuple[str, str]:
    """``<account_id>/<id>``, or ``<id>`` in the account ``CLOUDFLARE_ACCOUNT_ID`` names."""
    account, slash, own = id_.rpartition("/")
    if not own or account.count("/"):
        raise ValidationError("id", f"expected <{what}> or <account_id>/<{what}>, got {id_!r}.")
    return resolve_account_id(account if slash else None), own


def _rules_list_import(id_: str) -> Tuple[str, Dict[str, Any]]:
    account_id, list_id = _account_and("list_id", id_)
    return list_id, {"account_id": account_id}


def _bulk_operation_import(id_: str) -> Tuple[str, Dict[str, Any]]:
    account_id, operation_id = _account_and("operation_id", id_)
    return operation_id, {"account_id": account_id, "operation_id": operation_id}


def _list_items_import(id_: str) -> Tuple[str, Dict[str, Any]]:
    raise ValidationError(
        "id",
        "a ListItems can't be imported: it owns the items its program declares, which an id doesn't say. Declare "
        "them in a ListItems: its create adds only the missing ones, and writes nothing when the list holds them "
        "all. To take over a whole list, import it as a RulesList.",
    )


_FACTS = frozenset({"bulk_operation"})

RESOURCE_TYPES: Dict[str, ResourceType] = {
    kind.token: kind
    for kind in (
        ResourceType(
            "RulesList", RULES_LIST, RulesListProvider, ("num_items", "bulk_operation"), _rules_list_import, _FACTS
        ),
        ResourceType("ListItems", LIST_ITEMS, ListItemsProvider, ("bulk_operation",), _list_items_import, _FACTS),
        ResourceType(
            "BulkOperation", BULK_OPERATION, BulkOperationProvider, BULK_OPERATION.outputs, _bulk_operation_import
        ),
    )
}
