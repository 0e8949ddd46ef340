"""``ListItems``: some items of a Cloudflare Rules List, owned by one Pulumi resource.

It owns only the items it declares: other items of the list (another ``ListItems``'s, or written elsewhere) are
never touched. The provider is pickled (by reference) into every resource's state: ``pulumi_provider.list_items.
ListItemsProvider`` is a stable import path and must not move.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pulumi
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import NotFoundError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ABSENT, PRESENT, parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    get_list,
    read_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import DEFAULT_WAIT_TIMEOUT
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_provider.connection import ConnectedProvider, warn_of_plain_text_credentials
from pulumi_provider.list_owners import deleted_with_its_list
from pulumi_provider.list_schema import (
    LIST_ITEMS,
    deadline_of,
    empty_items_failures,
    item_dicts,
    keys_of,
    list_items_outputs,
    operation_output,
    write_options,
)
from pulumi_provider.schema import plain_numbers


class ListItemsProvider(ConnectedProvider):
    """The CRUD side of ``ListItems``; the Pulumi engine runs it in its own process.

    - check: the items must be items of some list kind; the list's own kind is applied once it is read.
    - diff: canonical forms compared, in the list's kind; a new account_id or list_id replaces.
    - create: adds the items (and updates their comments where they exist), through the core's one write path.
    - update: adds the new ones, updates comments, then removes the ones no longer declared (by id).
    - read: which of its own items the list still holds, as the list holds them, as outputs and as inputs.
    - delete: removes its own items, by id.
    """

    def check(self, olds: Dict[str, Any], news: Dict[str, Any]) -> CheckResult:
        inputs, failures = LIST_ITEMS.check(news)
        failures += empty_items_failures(inputs, owned=olds.get("items"))
        return CheckResult(inputs, [CheckFailure(name, reason) for name, reason in failures])

    def diff(self, _id: str, olds: Dict[str, Any], news: Dict[str, Any]) -> DiffResult:
        # The new items are read in the list's kind, recorded at create.
        changed = LIST_ITEMS.changed(olds, {**news, "kind": olds.get("kind")})
        return DiffResult(changes=bool(changed), replaces=LIST_ITEMS.replaces(changed), delete_before_replace=False)

    def create(self, props: Dict[str, Any]) -> CreateResult:
        list_id, outs = self._write(LIST_ITEMS.inputs_of(props), owned=None, last_operation=None)
        return CreateResult(f"{list_id}/{uuid.uuid4().hex}", outs)

    def read(self, id_: str, props: Dict[str, Any]) -> ReadResult:
        account_id = resolve_account_id(props.get("account_id"))
        with self._connection.open_client() as client:
            until = deadline_of(client, props)
            try:
                facts = get_list(client, account_id, props["list_id"], deadline=until)
            except NotFoundError:
                return ReadResult("", {})  # the list is gone, and its items with it
            own = keys_of(facts.kind, props.get("items"))
            items = item_dicts(
                item for item in read_items(client, account_id, facts, deadline=until) if item.key in own
            )
        outs = list_items_outputs({**props, "account_id": account_id}, facts.kind, items, props.get("bulk_operation"))
        # Its own items found become the inputs, so the next preview shows the drift item by item.
        return ReadResult(id_, outs, LIST_ITEMS.inputs_from_outputs(outs))

    def update(self, _id: str, olds: Dict[str, Any], news: Dict[str, Any]) -> UpdateResult:
        _list_id, outs = self._write(
            LIST_ITEMS.inputs_of(news), owned=olds.get("items"), last_operation=olds.get("bulk_operation")
        )
        return UpdateResult(outs)

    def _write(self, inputs: Dict[str, Any], *, owned: Any, last_operation: Any) -> Tuple[str, Dict[str, Any]]:
        """The core's ``sync_items`` in ``present`` mode, owning these items: add and update them, and remove the
        ``owned`` ones (a previous state's) no longer declared; every other item of the list is left alone."""
        items = plain_numbers(inputs["items"])  # no items while it owns some: refused by check
        with self._connection.open_client() as client:
            facts = get_list(client, inputs["account_id"], inputs["list_id"], deadline=deadline_of(client, inputs))
            desired = parse_items(facts.kind, items)
            facts_after, outcome = sync_items(
                client,
                inputs["account_id"],
                facts.id,
                items,
                PRESENT,
                options=write_options(inputs),
                owned_keys=None if owned is None else keys_of(facts.kind, owned),
            )
        own = {item.key for item in desired}
        written = item_dicts(item for item in outcome.items if item.key in own)
        operation = operation_output(outcome.operation, last_operation)
        return (facts_after or facts).id, list_items_outputs(inputs, facts.kind, written, operation)

    def delete(self, _id: str, props: Dict[str, Any]) -> None:
        account_id = resolve_account_id(props.get("account_id"))
        owned = plain_numbers(list(props.get("items") or ()))
        if not owned:
            return
        with self._connection.open_client() as client:
            try:
                sync_items(client, account_id, props["list_id"], owned, ABSENT, options=write_options(props))
            except NotFoundError:
                return  # the list is gone, and its items with it


@dataclass(frozen=True)
class ListItemsArgs:
    """The inputs of a ``ListItems``; each may be a plain value or an Output of another resource.

    ``account_id``: the account (default: ``CLOUDFLARE_ACCOUNT_ID``). ``list_id``: the list (e.g. a
    ``RulesList``'s ``list_id``); changing either replaces. ``items``: the items this resource owns, each a plain
    value or a dict with the kind's fields and ``comment``. ``wait_timeout``: seconds to wait for a write.
    ``allow_empty``: let ``items=[]`` remove every item this resource owned (refused otherwise, before any
    write). ``max_removals``: refuse a plan that removes more items than this count, or percentage (``"10%"``).
    """

    account_id: Optional[pulumi.Input[str]] = None
    list_id: Optional[pulumi.Input[str]] = None
    items: Optional[pulumi.Input[Sequence[Any]]] = None
    wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT
    allow_empty: pulumi.Input[bool] = False
    max_removals: Optional[pulumi.Input[str]] = None

    def to_props(self) -> Dict[str, Any]:
        return dict(self.__dict__)  # not asdict: it deep-copies, and an Output must be passed as is


class ListItems(Resource, module="cloudflare-lists", name="ListItems"):
    """Items of an existing Rules List, owned by this resource; the list's other items are left alone.

    Outputs: the inputs, with ``items`` as the list holds them now (canonical, only this resource's own), the
    list's ``kind``, and ``bulk_operation``: the facts of the last write. Two ``ListItems`` on one list each keep to
    their own items; declare an item in one of them only.
    """

    account_id: pulumi.Output[str]
    list_id: pulumi.Output[str]
    items: pulumi.Output[List[Dict[str, Any]]]
    wait_timeout: pulumi.Output[float]
    allow_empty: pulumi.Output[bool]
    max_removals: pulumi.Output[Optional[str]]
    kind: pulumi.Output[str]
    bulk_operation: pulumi.Output[Optional[Dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        account_id: Optional[pulumi.Input[str]] = None,
        list_id: Optional[pulumi.Input[str]] = None,
        items: Optional[pulumi.Input[Sequence[Any]]] = None,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        allow_empty: pulumi.Input[bool] = False,
        max_removals: Optional[pulumi.Input[str]] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        args = ListItemsArgs(account_id, list_id, items, wait_timeout, allow_empty, max_removals)
        warn_of_plain_text_credentials()
        opts = deleted_with_its_list(resource_name, list_id, opts)
        super().__init__(ListItemsProvider(), resource_name, LIST_ITEMS.registration(args.to_props()), opts)

    @classmethod
    def from_args(
        cls, resource_name: str, args: ListItemsArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> ListItems:
        return cls(resource_name, **args.to_props(), opts=opts)
