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
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import NotFoundError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ABSENT, PRESENT, parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    get_list,
    read_items,
    resolve_account_id,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import DEFAULT_WAIT_TIMEOUT
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_provider.connection import ConnectedProvider, warn_of_plain_text_credentials
from pulumi_provider.list_owners import deleted_with_its_list
from pulumi_provider.list_schema import LIST_ITEMS, item_dicts, keys_of, list_items_outputs, operation_output
from pulumi_provider.list_writes import deadline, write_items
from pulumi_provider.schema import plain_numbers

_FAILED_CONSEQUENCE = (
    "The list's items are as they were (a write is applied whole or not at all); fix the items and run `pulumi up` "
    "again."
)


class ListItemsProvider(ConnectedProvider):
    """The CRUD side of ``ListItems``; the Pulumi engine runs it in its own process.

    - check: the items must be items of some list kind; the list's own kind is applied once it is read.
    - diff: canonical forms compared, in the list's kind; a new account_id or list_id replaces.
    - create: adds the items (and updates their comments where they exist), in one bulk operation.
    - update: adds the new ones, updates comments, and removes the ones no longer declared, in one bulk operation.
    - read: which of its own items the list still holds, as the list holds them, as outputs and as inputs.
    - delete: removes its own items, in one bulk operation.
    """

    def check(self, _olds: Dict[str, Any], news: Dict[str, Any]) -> CheckResult:
        inputs, failures = LIST_ITEMS.check(news)
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
            until = deadline(client, props.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)
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
        """Add and update these items, and remove the ``owned`` ones (a previous state's) no longer declared, in
        one bulk operation; return the list's id and the outputs."""
        with self._connection.open_client() as client:
            until = deadline(client, inputs["wait_timeout"])
            facts = _list(client, inputs["account_id"], inputs["list_id"], until)
            desired = parse_items(facts.kind, plain_numbers(inputs["items"]))
            outcome = write_items(
                client,
                inputs["account_id"],
                facts,
                desired,
                PRESENT,
                wait_timeout=inputs["wait_timeout"],
                until=until,
                consequence=_FAILED_CONSEQUENCE,
                owned_keys=None if owned is None else keys_of(facts.kind, owned),
            )
        own = {item.key for item in desired}
        items = item_dicts(item for item in outcome.items if item.key in own)
        operation = operation_output(outcome.operation, last_operation)
        return facts.id, list_items_outputs(inputs, facts.kind, items, operation)

    def delete(self, _id: str, props: Dict[str, Any]) -> None:
        account_id = resolve_account_id(props.get("account_id"))
        with self._connection.open_client() as client:
            wait_timeout = props.get("wait_timeout")
            wait_timeout = DEFAULT_WAIT_TIMEOUT if wait_timeout is None else wait_timeout
            until = deadline(client, wait_timeout)
            try:
                facts = get_list(client, account_id, props["list_id"], deadline=until)
            except NotFoundError:
                return  # the list is gone, and its items with it
            write_items(
                client,
                account_id,
                facts,
                parse_items(facts.kind, plain_numbers(list(props.get("items") or ()))),
                ABSENT,
                wait_timeout=wait_timeout,
                until=until,
                consequence="Its items are still in the list; run `pulumi destroy` again.",
            )


def _list(client: CloudflareClient, account_id: str, list_id: str, until: float) -> ListFacts:
    try:
        return get_list(client, account_id, list_id, deadline=until)
    except NotFoundError as exc:
        exc.message += f" ListItems writes to an existing list: check list_id {list_id!r}, or create it first."
        raise


@dataclass(frozen=True)
class ListItemsArgs:
    """The inputs of a ``ListItems``; each may be a plain value or an Output of another resource.

    ``account_id``: the account (default: ``CLOUDFLARE_ACCOUNT_ID``). ``list_id``: the list (e.g. a
    ``RulesList``'s ``list_id``); changing either replaces. ``items``: the items this resource owns, each a plain
    value or a dict with the kind's fields and ``comment``. ``wait_timeout``: seconds to wait for a write.
    """

    account_id: Optional[pulumi.Input[str]] = None
    list_id: Optional[pulumi.Input[str]] = None
    items: Optional[pulumi.Input[Sequence[Any]]] = None
    wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT

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
    kind: pulumi.Output[str]
    bulk_operation: pulumi.Output[Optional[Dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        account_id: Optional[pulumi.Input[str]] = None,
        list_id: Optional[pulumi.Input[str]] = None,
        items: Optional[pulumi.Input[Sequence[Any]]] = None,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        args = ListItemsArgs(account_id, list_id, items, wait_timeout)
        warn_of_plain_text_credentials()
        opts = deleted_with_its_list(resource_name, list_id, opts)
        super().__init__(ListItemsProvider(), resource_name, LIST_ITEMS.registration(args.to_props()), opts)

    @classmethod
    def from_args(
        cls, resource_name: str, args: ListItemsArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> ListItems:
        return cls(resource_name, **args.to_props(), opts=opts)
