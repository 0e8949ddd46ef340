"""``RulesList``: a Cloudflare Rules List as a Pulumi resource, with its items when you give them.

The provider is pickled (by reference) into every resource's state: ``pulumi_provider.rules_list.
RulesListProvider`` is a stable import path and must not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import pulumi
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import NotFoundError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    delete_list,
    get_list,
    read_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_list, update_list
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import DEFAULT_WAIT_TIMEOUT
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_provider.connection import ConnectedProvider, warn_of_plain_text_credentials
from pulumi_provider.list_owners import ListOwner, record_owner
from pulumi_provider.list_schema import (
    RULES_LIST,
    deadline_of,
    empty_items_failures,
    item_dicts,
    operation_output,
    rules_list_outputs,
    write_options,
)
from pulumi_provider.schema import plain_numbers


class RulesListProvider(ConnectedProvider):
    """The CRUD side of ``RulesList``; the Pulumi engine runs it in its own process.

    - check: the core's rules per property; items are recorded canonical, in Cloudflare's order.
    - diff: canonical forms compared. A new account_id, name or kind replaces (the old list goes first when the
      name stays, as two lists of one name would be ambiguous); description and items update in place.
    - create: the core's ``sync_list``: the list, then its items, waited on and verified; a failure removes the
      list again. A list of that name that already exists is refused, or with ``adopt`` taken over (its kind must
      match): its description and items then made as the inputs say.
    - update: the core's ``update_list``: the description; the items by the exact plan, writing only the difference.
    - read: the list's description and canonical items now, so a refresh shows changes made elsewhere; when the
      inputs give the items, the items found become the inputs too, so the next preview shows each drifted item.
    - delete: the list (Cloudflare refuses while a rule uses it, and so does this, saying which).
    """

    def check(self, _olds: Dict[str, Any], news: Dict[str, Any]) -> CheckResult:
        inputs, failures = RULES_LIST.check(news)
        failures += empty_items_failures(inputs)
        return CheckResult(inputs, [CheckFailure(name, reason) for name, reason in failures])

    def diff(self, _id: str, olds: Dict[str, Any], news: Dict[str, Any]) -> DiffResult:
        changed = RULES_LIST.changed(olds, news)
        replaces = RULES_LIST.replaces(changed)
        same_name = "name" not in changed and "account_id" not in changed
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces) and same_name)

    def create(self, props: Dict[str, Any]) -> CreateResult:
        inputs = RULES_LIST.inputs_of(props)
        with self._connection.open_client() as client:
            outcome = sync_list(
                client,
                inputs["account_id"],
                inputs["name"],
                kind=inputs["kind"],
                # A list taken over gets the program's description, empty included.
                description=inputs["description"] if inputs["adopt"] else inputs["description"] or None,
                items=None if inputs["items"] is None else plain_numbers(inputs["items"]),
                options=write_options(inputs),
                adopt=inputs["adopt"],
            )
        assert outcome.list is not None  # a real run always ends with the list
        items = item_dicts(outcome.items.items) if outcome.items else []
        operation = operation_output(outcome.items.operation if outcome.items else None)
        return CreateResult(outcome.list.id, rules_list_outputs(inputs, outcome.list, items, operation))

    def read(self, id_: str, props: Dict[str, Any]) -> ReadResult:
        account_id = resolve_account_id(props.get("account_id"))
        with self._connection.open_client() as client:
            until = deadline_of(client, props)
            try:
                facts = get_list(client, account_id, id_, deadline=until)
            except NotFoundError:
                return ReadResult("", {})  # gone: the engine drops it from state
            items = item_dicts(read_items(client, account_id, facts, deadline=until))
        outs = rules_list_outputs({**props, "account_id": account_id}, facts, items, props.get("bulk_operation"))
        outs["manages_items"] = manages = props.get("manages_items")  # None: a state from before it was recorded
        # A list whose items the inputs give: the items found become the inputs, so the next preview shows the drift
        # item by item (the engine shows a diff of inputs).
        return ReadResult(facts.id, outs, RULES_LIST.inputs_from_outputs(outs) if manages else None)

    def update(self, id_: str, olds: Dict[str, Any], news: Dict[str, Any]) -> UpdateResult:
        inputs = RULES_LIST.inputs_of(news)
        account_id = inputs["account_id"]
        changed = RULES_LIST.changed(olds, news)
        manage_items = "items" in changed and inputs["items"] is not None
        with self._connection.open_client() as client:
            facts = get_list(client, account_id, id_, deadline=deadline_of(client, inputs))
            outcome = update_list(
                client,
                account_id,
                facts,
                description=inputs["description"],
                desired=parse_items(facts.kind, plain_numbers(inputs["items"])) if manage_items else None,
                options=write_options(inputs),
            )
        assert outcome.list is not None
        items: List[Dict[str, Any]] = list(olds.get("items") or [])
        operation = olds.get("bulk_operation")
        if outcome.items is not None:
            items = item_dicts(outcome.items.items)
            if outcome.items.operation is not None:
                operation = operation_output(outcome.items.operation)
        return UpdateResult(rules_list_outputs(inputs, outcome.list, items, operation))

    def delete(self, id_: str, props: Dict[str, Any]) -> None:
        account_id = resolve_account_id(props.get("account_id"))
        with self._connection.open_client() as client:
            until = deadline_of(client, props)
            try:
                facts = get_list(client, account_id, id_, deadline=until)
            except NotFoundError:
                return  # already gone
            delete_list(client, account_id, facts, deadline=until)


@dataclass(frozen=True)
class RulesListArgs:
    """The inputs of a ``RulesList``; each may be a plain value or an Output of another resource.

    ``account_id``: the account (default: ``CLOUDFLARE_ACCOUNT_ID``). ``name``: letters, digits and ``_``, at
    most 50. ``kind``: ``ip``, ``hostname``, ``asn`` or ``redirect``. Changing any of these replaces the list.
    ``description``: at most 500 characters. ``items``: when given, exactly the items the list holds (each a plain
    value, or a dict with the kind's fields and ``comment``); omitted, the items are left alone (e.g. to
    ``ListItems``). ``wait_timeout``: seconds to wait for a write to be applied. ``allow_empty``: let ``items=[]``
    empty the list (refused otherwise, before any write). ``max_removals``: refuse a plan that removes more items
    than this count, or percentage of the list (``"10%"``). ``adopt``: when the account already has a list of this
    name (and kind), manage that one instead of failing; Pulumi's ``import_`` can't adopt it (the engine's import
    gives a dynamic resource's read no stored properties, so it can't find its provider).
    """

    account_id: Optional[pulumi.Input[str]] = None
    name: Optional[pulumi.Input[str]] = None
    kind: Optional[pulumi.Input[str]] = None
    description: Optional[pulumi.Input[str]] = None
    items: Optional[pulumi.Input[Sequence[Any]]] = None
    wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT
    allow_empty: pulumi.Input[bool] = False
    max_removals: Optional[pulumi.Input[str]] = None
    adopt: pulumi.Input[bool] = False

    def to_props(self) -> Dict[str, Any]:
        return dict(self.__dict__)  # not asdict: it deep-copies, and an Output must be passed as is


class RulesList(Resource, module="cloudflare-lists", name="RulesList"):
    """A Cloudflare Rules List (``ip``, ``hostname``, ``asn`` or ``redirect``), and its items when given.

    Outputs: the inputs as Cloudflare has them now (``items`` canonical: ``10.0.0.1/32`` reads ``10.0.0.1``),
    ``list_id`` (what rule expressions reference as ``$name``, and what ``ListItems`` takes), ``num_items``, and
    ``bulk_operation``: the facts of the last items write (``status``, ``completed_at``, ``error``...). Credentials
    are never inputs: see ``BulkOperation``.
    """

    account_id: pulumi.Output[str]
    name: pulumi.Output[str]
    kind: pulumi.Output[str]
    description: pulumi.Output[str]
    items: pulumi.Output[List[Dict[str, Any]]]
    wait_timeout: pulumi.Output[float]
    allow_empty: pulumi.Output[bool]
    max_removals: pulumi.Output[Optional[str]]
    adopt: pulumi.Output[bool]
    list_id: pulumi.Output[str]
    num_items: pulumi.Output[int]
    bulk_operation: pulumi.Output[Optional[Dict[str, Any]]]
    manages_items: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        account_id: Optional[pulumi.Input[str]] = None,
        name: Optional[pulumi.Input[str]] = None,
        kind: Optional[pulumi.Input[str]] = None,
        description: Optional[pulumi.Input[str]] = None,
        items: Optional[pulumi.Input[Sequence[Any]]] = None,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        allow_empty: pulumi.Input[bool] = False,
        max_removals: Optional[pulumi.Input[str]] = None,
        adopt: pulumi.Input[bool] = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        warn_of_plain_text_credentials()
        # Deleting it deletes the list (not so for one read with get, or kept with retain_on_delete).
        owner = None if opts and (opts.id or opts.retain_on_delete) else ListOwner(resource_name, items is not None)
        if owner is not None and owner.gives_items:
            name = owner.gate(name)  # refused along with a ListItems on its list
        args = RulesListArgs(account_id, name, kind, description, items, wait_timeout, allow_empty, max_removals, adopt)
        super().__init__(RulesListProvider(), resource_name, RULES_LIST.registration(args.to_props()), opts)
        if owner is not None:
            record_owner(self.list_id, owner, self)

    @classmethod
    def from_args(
        cls, resource_name: str, args: RulesListArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> RulesList:
        return cls(resource_name, **args.to_props(), opts=opts)

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        account_id: Optional[pulumi.Input[str]] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> RulesList:
        """An existing list, read by its id (``account_id`` defaults to ``CLOUDFLARE_ACCOUNT_ID``); not managed."""
        read = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return cls(resource_name, account_id=account_id, opts=read)
