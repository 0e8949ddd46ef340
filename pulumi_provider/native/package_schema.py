"""The ``cloudflare-lists`` Pulumi package schema: each resource, its properties' types and descriptions.

Which properties exist, their defaults and which inputs replace come from the shared ``Schema`` objects (what
``check`` and ``diff`` really use); what is written here is what a program's author reads: each property's type and
description. A unit test holds the two together, and ``docs/cloudflare-lists-provider.md`` is generated from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import KINDS

from pulumi_provider.native.resources import PACKAGE, RESOURCE_TYPES, ResourceType
from pulumi_provider.native.wire import Names, camel


@dataclass(frozen=True)
class Doc:
    """A property's type (a Pulumi schema type spec) and description; ``required``: an input with no default."""

    type: Mapping[str, Any]
    description: str
    required: bool = False
    secret: bool = False


_STRING = {"type": "string"}
_NUMBER = {"type": "number"}
_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
_ANY_ITEMS = {"type": "array", "items": {"$ref": "pulumi.json#/Any"}}
_FACTS_TYPE = f"{PACKAGE}:index:BulkOperationFacts"

_ACCOUNT_ID = Doc(
    _STRING,
    "The Cloudflare account's 32-character ID; without it, the provider's CLOUDFLARE_ACCOUNT_ID environment "
    "variable. Changing it replaces the resource.",
)
_WAIT_TIMEOUT = Doc(
    _NUMBER,
    "Seconds a call may take, waiting for Cloudflare to apply a write included; 0 checks once. A write not "
    "finished by then fails the step, saying what is known.",
)
_ALLOW_EMPTY = Doc(
    _BOOLEAN,
    "Let `items: []` remove every item (refused otherwise, before any write).",
)
_MAX_REMOVALS = Doc(
    {"oneOf": [_INTEGER, _STRING]},
    "Refuse, before any write, a change that removes more items than this: a count (`50`) or a percentage of the "
    'items there now (`"10%"`).',
)
_BULK_OPERATION = Doc(
    {"$ref": f"#/types/{_FACTS_TYPE}"},
    "The facts of the last write to the items (absent until one is made): its id, status, finished, succeeded, "
    "completedAt and error.",
)
_ITEM_FORMS = (
    'Each item is a plain value (`"192.0.2.1"`, `"198.51.100.0/24"`, `13335`, `"*.example.com"`) or an object '
    "with the kind's field (`ip`, `asn`, `hostname: {url_hostname}`, `redirect: {source_url, target_url, ...}`, "
    "in Cloudflare's own names) and an optional `comment`. They are compared as Cloudflare stores them, in any "
    "order: `10.0.0.1/32` is `10.0.0.1`, `AS13335` is `13335`."
)

DOCS: Dict[str, Dict[str, Doc]] = {
    "RulesList": {
        "account_id": _ACCOUNT_ID,
        "name": Doc(
            _STRING,
            "The list's name: letters, digits and `_`, at most 50 characters. Rule expressions use it as `$name`. "
            "Changing it replaces the list.",
            required=True,
        ),
        "kind": Doc(
            {"type": "string", "enum": [{"value": kind} for kind in KINDS]},
            f"What the list holds: {', '.join(KINDS[:-1])} or {KINDS[-1]}. Changing it replaces the list.",
            required=True,
        ),
        "description": Doc(_STRING, "At most 500 characters."),
        "items": Doc(
            _ANY_ITEMS,
            "Given, exactly the items the list holds; left out, the list's items are left alone (to a ListItems, "
            "or to whoever else writes them). As an output: the list's items as Cloudflare holds them. " + _ITEM_FORMS,
        ),
        "wait_timeout": _WAIT_TIMEOUT,
        "allow_empty": _ALLOW_EMPTY,
        "max_removals": _MAX_REMOVALS,
        "adopt": Doc(
            _BOOLEAN,
            "When the account already has a list of this name (and kind), create takes it over, its description "
            "and items then made as the inputs say, instead of failing.",
        ),
        "list_id": Doc(_STRING, "The list's ID: what a ListItems takes as `listId`."),
        "num_items": Doc(_INTEGER, "How many items the list holds."),
        "bulk_operation": _BULK_OPERATION,
        "manages_items": Doc(_BOOLEAN, "Whether the inputs give the items (else they are left alone)."),
    },
    "ListItems": {
        "account_id": _ACCOUNT_ID,
        "list_id": Doc(
            _STRING, "The ID of the list (a RulesList's `listId`). Changing it replaces the resource.", required=True
        ),
        "items": Doc(
            _ANY_ITEMS,
            "The items this resource adds to the list and owns; the list's other items are never touched, and "
            "items it no longer declares are removed. As an output: its own items as the list holds them. "
            + _ITEM_FORMS,
            required=True,
        ),
        "wait_timeout": _WAIT_TIMEOUT,
        "allow_empty": Doc(_BOOLEAN, "Let `items: []` remove every item this resource owned (refused otherwise)."),
        "max_removals": _MAX_REMOVALS,
        "kind": Doc(_STRING, "The list's kind, as read from Cloudflare."),
        "bulk_operation": _BULK_OPERATION,
    },
    "BulkOperation": {
        "account_id": Doc(_STRING, "The account the operation belongs to.", required=True),
        "operation_id": Doc(
            _STRING,
            "The operation to wait on: what a write to a list's items returned. Changing it or `accountId` "
            "replaces the resource.",
            required=True,
        ),
        "wait": Doc(_BOOLEAN, "Wait until the operation has finished; false records its status as it is."),
        "wait_timeout": Doc(_NUMBER, "Seconds to wait before failing with the last status seen (0: check once)."),
        "wait_max_interval": Doc(
            _NUMBER, "The longest pause between two checks, in seconds: completion is seen at most this late."
        ),
        "fail_on_operation_failure": Doc(
            _BOOLEAN,
            "A failed operation fails the step; false records it instead (`succeeded` false, Cloudflare's reason "
            "in `error`).",
        ),
        "status": Doc(_STRING, "pending, running, completed or failed."),
        "finished": Doc(_BOOLEAN, "Whether the status is completed or failed."),
        "succeeded": Doc(_BOOLEAN, "Whether the status is completed."),
        "completed_at": Doc(_STRING, "When Cloudflare finished it, in UTC RFC 3339; absent until then."),
        "error": Doc(_STRING, "Cloudflare's reason for a failed operation; absent otherwise."),
    },
}

RESOURCE_DESCRIPTIONS = {
    "RulesList": "A Cloudflare Rules List (ip, hostname, asn or redirect), and its items when they are given. A "
    "change to the items is written as one bulk operation of only what differs, waited on and read back.",
    "ListItems": "Some items of an existing Rules List, owned by this resource: it adds them, removes the ones it "
    "no longer declares, and leaves the list's other items alone, so several ListItems can share one list.",
    "BulkOperation": "Waits for a Cloudflare Rules Lists bulk operation made elsewhere, and records how it ended. "
    "Resources that depend on it start once Cloudflare has applied the write.",
}

FACTS_DOCS: Dict[str, Doc] = {
    "id": Doc(_STRING, "The operation's ID."),
    "status": Doc(_STRING, "pending, running, completed or failed."),
    "finished": Doc(_BOOLEAN, "Whether the status is completed or failed."),
    "succeeded": Doc(_BOOLEAN, "Whether the status is completed."),
    "completed_at": Doc(_STRING, "When Cloudflare finished it, in UTC RFC 3339."),
    "error": Doc(_STRING, "Cloudflare's reason for a failed operation."),
}

CONFIG_DOCS: Dict[str, Doc] = {
    "api_token": Doc(
        _STRING,
        "A Cloudflare API token with Account Filter Lists Edit (Read for BulkOperation alone). Set it as a "
        "secret: `pulumi config set --secret cloudflare-lists:apiToken <token>`. Default: CLOUDFLARE_API_TOKEN.",
        secret=True,
    ),
    "email": Doc(_STRING, "The account's email, for the legacy global API key. Default: CLOUDFLARE_EMAIL."),
    "api_key": Doc(
        _STRING,
        "The legacy global API key, with `email`, instead of a token. Default: CLOUDFLARE_API_KEY.",
        secret=True,
    ),
    "base_url": Doc(
        _STRING,
        "The API's base URL; https, or http to a loopback address (an emulator). Default: CLOUDFLARE_BASE_URL, "
        "else https://api.cloudflare.com/client/v4.",
    ),
}
CONFIG_NAMES = Names(tuple(CONFIG_DOCS))

DESCRIPTION = (
    "Cloudflare Rules Lists kept right: a list and its items, items owned apart, and waits on bulk operations. "
    "Items are compared as Cloudflare stores them, and each change is one bulk operation of only what differs."
)


def _spec(doc: Doc, default: Any = None) -> Dict[str, Any]:
    spec: Dict[str, Any] = {**doc.type, "description": doc.description}
    if default is not None:
        spec["default"] = default
    if doc.secret:
        spec["secret"] = True
    return spec


def resource_spec(kind: ResourceType) -> Dict[str, Any]:
    docs = DOCS[kind.name]
    inputs = {camel(field.name): _spec(docs[field.name], field.default) for field in kind.schema.inputs}
    outputs = {camel(name): _spec(docs[name]) for name in kind.names.names}
    return {
        "description": RESOURCE_DESCRIPTIONS[kind.name],
        "inputProperties": inputs,
        "requiredInputs": [camel(field.name) for field in kind.schema.inputs if docs[field.name].required],
        "properties": outputs,
    }


def package_schema(version: str) -> Dict[str, Any]:
    """The package schema the provider's ``GetSchema`` answers with (Pulumi's package schema format)."""
    config = {camel(name): _spec(doc) for name, doc in CONFIG_DOCS.items()}
    return {
        "name": PACKAGE,
        "displayName": "Cloudflare Rules Lists",
        "version": version,
        "description": DESCRIPTION,
        "keywords": ["pulumi", "cloudflare", "category/network"],
        "license": "GPL-3.0-or-later",
        "config": {"variables": config},
        "provider": {"description": "The cloudflare-lists provider's configuration.", "inputProperties": config},
        "resources": {token: resource_spec(kind) for token, kind in RESOURCE_TYPES.items()},
        "types": {
            _FACTS_TYPE: {
                "type": "object",
                "description": "What Cloudflare says about one bulk operation.",
                "properties": {camel(name): _spec(doc) for name, doc in FACTS_DOCS.items()},
            }
        },
    }


def property_docs(kind: str) -> Tuple[str, ...]:
    return tuple(DOCS[kind])
