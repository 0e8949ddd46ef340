"""The ``cloudflare-lists`` package's provider: the engine's calls, each handed to the shared provider of its type.

Properties arrive with the engine's names and markers and leave the same way (``wire``); in between, every rule,
comparison, write and read is the shared provider's (``RulesListProvider``...), so the native resources and the
dynamic ones behave alike. What only this protocol has is here: the provider's own configuration, detailed diffs,
previews that write nothing, imports by id, and calls run in threads so that resources deploy in parallel (their
writes queue per account in the core).
"""

from __future__ import annotations

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, TypeVar

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    NotFoundError,
)
from pulumi.output import UNKNOWN
from pulumi.provider.experimental import provider as rpc

from pulumi_provider.connection import ConnectionSettings
from pulumi_provider.native.diffs import Change, detailed_diff
from pulumi_provider.native.package_schema import CONFIG_NAMES, package_schema
from pulumi_provider.native.resources import RESOURCE_TYPES, ResourceType
from pulumi_provider.schema import is_unknown

T = TypeVar("T")

#: How the core's messages name things, as this provider's users name them.
MESSAGE_NAMES: Dict[str, str] = {
    **{name: camel for kind in RESOURCE_TYPES.values() for name, camel in kind.names.to_engine.items()},
    "api_token": "apiToken",
    "account_email": "email",
    "account_api_key": "apiKey",
    "base_url": "baseUrl",
}
_SECRET_CONFIG = ("api_token", "api_key")
#: What the engine itself adds to every provider's configuration.
_ENGINE_CONFIG = ("version", "pluginDownloadURL")
_KINDS = {
    (Change.ADD, False): rpc.PropertyDiffKind.ADD,
    (Change.ADD, True): rpc.PropertyDiffKind.ADD_REPLACE,
    (Change.DELETE, False): rpc.PropertyDiffKind.DELETE,
    (Change.DELETE, True): rpc.PropertyDiffKind.DELETE_REPLACE,
    (Change.UPDATE, False): rpc.PropertyDiffKind.UPDATE,
    (Change.UPDATE, True): rpc.PropertyDiffKind.UPDATE_REPLACE,
}


class ProviderConnection(ConnectionSettings):
    """The connection settings from this provider's configuration."""

    config_help = (
        "The cloudflare-lists provider takes apiToken (set it as a secret: `pulumi config set --secret "
        "cloudflare-lists:apiToken <token>`), or email with apiKey, and baseUrl, from its configuration; without "
        "them, CLOUDFLARE_API_TOKEN, CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY, and CLOUDFLARE_BASE_URL."
    )


class CloudflareListsProvider(rpc.Provider):
    """The engine's side of ``cloudflare-lists:index:RulesList``, ``ListItems`` and ``BulkOperation``."""

    def __init__(self, version: str, *, max_parallel: int = 32) -> None:
        self.version = version
        self._connection = ProviderConnection()
        # A call waits on Cloudflare for up to its wait_timeout: one thread each, so that others go on meanwhile.
        self._threads = ThreadPoolExecutor(max_workers=max_parallel, thread_name_prefix="cloudflare-lists")

    # ------------------------------------------------------------------------------------------- provider
    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        return rpc.GetSchemaResponse(json.dumps(package_schema(self.version)))

    async def check_config(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        """Known keys only, strings only; the credentials are marked secret, so state holds them encrypted."""
        failures = [
            rpc.CheckFailure(
                key, f"unknown configuration; the provider takes {', '.join(CONFIG_NAMES.to_engine.values())}."
            )
            for key in CONFIG_NAMES.unknown(request.new_inputs)
            if key not in _ENGINE_CONFIG
        ]
        config, _secret = CONFIG_NAMES.incoming(request.new_inputs)
        for name, value in config.items():
            if value is not None and not isinstance(value, str) and not is_unknown(value):
                failures.append(rpc.CheckFailure(CONFIG_NAMES.path(name), "expected a string."))
        inputs = dict(request.new_inputs)
        for name in _SECRET_CONFIG:
            key = CONFIG_NAMES.path(name)
            if key in inputs:
                inputs[key] = inputs[key].with_secret(True)
        return rpc.CheckResponse(inputs=inputs, failures=failures)

    async def diff_config(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        """A new credential or base URL changes how resources are reached, never which: no replace."""
        olds, _ = CONFIG_NAMES.incoming(request.old_state)
        news, _ = CONFIG_NAMES.incoming(request.new_inputs)
        changed = [CONFIG_NAMES.path(name) for name in CONFIG_NAMES.names if olds.get(name) != news.get(name)]
        return rpc.DiffResponse(
            changes=bool(changed),
            diffs=changed,
            detailed_diff={key: rpc.PropertyDiff(rpc.PropertyDiffKind.UPDATE, True) for key in changed},
        )

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        config, _ = CONFIG_NAMES.incoming(request.args)
        self._connection = ProviderConnection(
            **{name: value or None for name, value in config.items() if isinstance(value, str)}
        )
        return rpc.ConfigureResponse(accept_secrets=True, supports_preview=True)

    # ------------------------------------------------------------------------------------------- resources
    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        kind = _resource_type(request.type)
        names = kind.names
        news, secret = names.incoming(request.new_inputs)
        result = kind.provider().check({}, news)
        failures = [
            rpc.CheckFailure(
                key, f"unknown property; {kind.name} takes {', '.join(names.to_engine[n] for n in kind.schema.names)}."
            )
            for key in names.unknown(request.new_inputs)
        ]
        failures += [rpc.CheckFailure(names.path(f.property), _rendered(f.reason)) for f in result.failures]
        return rpc.CheckResponse(inputs=names.outgoing(result.inputs, secret), failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        kind = _resource_type(request.type)
        names = kind.names
        olds, _ = names.incoming(request.old_state)
        news, _ = names.incoming(request.new_inputs)
        result = kind.provider().diff(request.resource_id, olds, news)
        replaces = list(result.replaces or [])
        details = detailed_diff(kind.schema, olds, news, replaces)
        return rpc.DiffResponse(
            changes=bool(result.changes),
            replaces=[names.path(name) for name in replaces],
            delete_before_replace=bool(result.delete_before_replace),
            diffs=sorted({names.path(path.partition("[")[0]) for path in details}),
            detailed_diff={
                names.path(path): rpc.PropertyDiff(_KINDS[change], False) for path, change in details.items()
            },
        )

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        kind = _resource_type(request.type)
        names = kind.names
        inputs, secret = names.incoming(request.properties)
        if request.preview:
            # Nothing is written in a preview, and the id is not known.
            unknown = {name: UNKNOWN for name in kind.schema.outputs if inputs.get(name) is None}
            return rpc.CreateResponse(None, names.outgoing({**inputs, **unknown}, secret))
        provider = self._connected(kind)
        created = await self._in_thread(provider.create, inputs)
        return rpc.CreateResponse(created.id, names.outgoing(created.outs or {}, secret))

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        kind = _resource_type(request.type)
        names = kind.names
        olds, _ = names.incoming(request.olds)
        news, secret = names.incoming(request.news)
        if request.preview:
            known = {name: value for name, value in news.items() if value is not None}
            return rpc.UpdateResponse(
                names.outgoing({**olds, **known, **{name: UNKNOWN for name in kind.written}}, secret)
            )
        provider = self._connected(kind)
        updated = await self._in_thread(provider.update, request.resource_id, olds, news)
        return rpc.UpdateResponse(names.outgoing(updated.outs or {}, secret))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        """A refresh (the outputs in state are given), or an import or a ``get`` by id (only the id, and a
        ``get``'s inputs): what the resource is now, and its inputs (the ones it had, or, imported, its own)."""
        kind = _resource_type(request.type)
        names = kind.names
        props, secret = names.incoming(request.properties)
        given, given_secret = names.incoming(request.inputs)
        id_ = request.resource_id
        importing = not props
        if importing:
            id_, props = kind.imported(id_)
            props = {**props, **{name: value for name, value in given.items() if value is not None}}
        provider = self._connected(kind)
        found = await self._in_thread(provider.read, id_, props)
        if not found.id:
            if importing:
                raise NotFoundError(f"No {kind.name} with id {request.resource_id!r} was found; nothing was imported.")
            return rpc.ReadResponse("", {}, request.inputs)  # gone: the engine drops it
        outs = found.outs or {}
        if importing:
            inputs = names.outgoing(given or kind.import_inputs(outs), given_secret)
        elif found.inputs is not None:
            inputs = names.outgoing(found.inputs, given_secret)
        else:
            inputs = dict(request.inputs)
        return rpc.ReadResponse(found.id, names.outgoing(outs, secret), inputs)

    async def delete(self, request: rpc.DeleteRequest) -> None:
        kind = _resource_type(request.type)
        props, _ = kind.names.incoming(request.properties)
        provider = self._connected(kind)
        await self._in_thread(provider.delete, request.resource_id, props)

    # ------------------------------------------------------------------------------------------- helpers
    def _connected(self, kind: ResourceType) -> Any:
        provider = kind.provider()
        provider.connect(self._connection)
        return provider

    async def _in_thread(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, functools.partial(call, *args))


def _resource_type(urn_type: str) -> ResourceType:
    """The type a URN names; a child's URN prefixes it with its parents' types (``my:index:Group$...``)."""
    token = urn_type.rpartition("$")[2]
    kind = RESOURCE_TYPES.get(token)
    if kind is None:
        raise CloudflareListsError(
            f"Unknown resource type {token!r}; the cloudflare-lists provider has {', '.join(RESOURCE_TYPES)}."
        )
    return kind


def _rendered(text: str) -> str:
    return CloudflareListsError(text).render(MESSAGE_NAMES)


def rendered_error(error: CloudflareListsError) -> str:
    """An error's message and hint, naming properties and settings as this provider's users do."""
    return error.render(MESSAGE_NAMES)
