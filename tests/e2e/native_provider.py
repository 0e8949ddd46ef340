"""The engine's side of the native provider's protocol, for tests: the installed plugin, called over gRPC.

``NativeServer`` starts ``pulumi-resource-cloudflare-lists`` (the executable ``pip install`` puts on ``PATH``), reads
the port it prints, and makes the calls the engine makes, with properties encoded as the engine encodes them:
protobuf Structs, secrets and unknowns as their signature objects. ``Secret`` marks a secret value both ways.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from pulumi_provider.testing import CheckOutcome, ProviderServer, serialize

PLUGIN = Path(sys.executable).parent / "pulumi-resource-cloudflare-lists"
RULES_LIST = "cloudflare-lists:index:RulesList"
LIST_ITEMS = "cloudflare-lists:index:ListItems"
BULK_OPERATION = "cloudflare-lists:index:BulkOperation"
PROVIDER = "pulumi:providers:cloudflare-lists"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_KINDS = {value: name.lower() for name, value in provider_pb2.PropertyDiff.Kind.items()}
_CHANGES = {
    provider_pb2.DiffResponse.DIFF_NONE: "none",
    provider_pb2.DiffResponse.DIFF_SOME: "some",
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class Secret:
    value: Any


class Unknown:
    """A value not known yet (in a preview), as sent or received."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __repr__(self) -> str:
        return "Unknown"


def _to_wire(value: Any) -> Any:
    if isinstance(value, Secret):
        return {_SIG_KEY: _SECRET_SIG, "value": _to_wire(value.value)}
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, Mapping):
        return {key: _to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_wire(item) for item in value]
    return value


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed) or inner == rpc.UNKNOWN:  # the wire's sentinel, as the engine reads it
        out: Any = Unknown()
    elif isinstance(inner, (list, tuple)):
        out = [_plain(item) for item in inner]
    elif isinstance(inner, Mapping):
        out = {key: _plain(item) for key, item in inner.items()}
    elif isinstance(inner, float) and inner.is_integer():
        out = int(inner)
    else:
        out = inner
    return Secret(out) if value.is_secret else out


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return serialize(_to_wire(dict(props)))


def from_struct(struct: struct_pb2.Struct) -> Dict[str, Any]:
    return {key: _plain(value) for key, value in PropertyValue.unmarshal_map(struct).items()}


def unsecret(value: Any) -> Any:
    if isinstance(value, Secret):
        return unsecret(value.value)
    if isinstance(value, dict):
        return {key: unsecret(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unsecret(item) for item in value]
    return value


@dataclass(frozen=True)
class NativeDiff:
    changes: str  # "none", "some" or "unknown"
    replaces: List[str]
    delete_before_replace: bool
    diffs: List[str]
    detailed: Dict[str, str]  # path -> "add", "delete", "update", "add_replace"...


class NativeServer(ProviderServer):
    """The installed plugin, and the engine's calls to it (each resource call names its type by a URN)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(command=[str(PLUGIN)], **kwargs)

    @staticmethod
    def urn(type_: str, name: str = "resource") -> str:
        return f"urn:pulumi:test::project::{type_}::{name}"

    def get_schema(self) -> Dict[str, Any]:
        return dict(json.loads(self._call("GetSchema", provider_pb2.GetSchemaRequest(version=0)).schema))

    def check_config(self, news: Mapping[str, Any]) -> CheckOutcome:
        request = provider_pb2.CheckRequest(urn=self.urn(PROVIDER, "default"), news=to_struct(news))
        response = self._call("CheckConfig", request)
        return CheckOutcome(from_struct(response.inputs), [(f.property, f.reason) for f in response.failures])

    def configure(self, config: Mapping[str, Any]) -> None:  # type: ignore[override]
        """The provider's configuration, as the engine sends a provider resource's checked inputs."""
        request = provider_pb2.ConfigureRequest(args=to_struct(config), acceptSecrets=True, acceptResources=True)
        self._call("Configure", request)

    def check(  # type: ignore[override]
        self, type_: str, news: Mapping[str, Any], olds: Optional[Mapping[str, Any]] = None
    ) -> CheckOutcome:
        request = provider_pb2.CheckRequest(urn=self.urn(type_), olds=to_struct(olds or {}), news=to_struct(news))
        response = self._call("Check", request)
        return CheckOutcome(from_struct(response.inputs), [(f.property, f.reason) for f in response.failures])

    def diff(  # type: ignore[override]
        self, type_: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> NativeDiff:
        request = provider_pb2.DiffRequest(id=id_, urn=self.urn(type_), olds=to_struct(olds), news=to_struct(news))
        response = self._call("Diff", request)
        return NativeDiff(
            _CHANGES[response.changes],
            list(response.replaces),
            response.deleteBeforeReplace,
            list(response.diffs),
            {path: _KINDS[diff.kind] for path, diff in response.detailedDiff.items()},
        )

    def create(  # type: ignore[override]
        self, type_: str, props: Mapping[str, Any], *, preview: bool = False
    ) -> Tuple[str, Dict[str, Any]]:
        request = provider_pb2.CreateRequest(urn=self.urn(type_), properties=to_struct(props), preview=preview)
        response = self._call("Create", request)
        return response.id, from_struct(response.properties)

    def read(  # type: ignore[override]
        self,
        type_: str,
        id_: str,
        props: Optional[Mapping[str, Any]] = None,
        inputs: Optional[Mapping[str, Any]] = None,
    ) -> Tuple[str, Dict[str, Any], Dict[str, Any]]:
        """A refresh (``props``: the outputs in state, ``inputs``: the inputs), or an import (the id alone)."""
        request = provider_pb2.ReadRequest(
            id=id_, urn=self.urn(type_), properties=to_struct(props or {}), inputs=to_struct(inputs or {})
        )
        response = self._call("Read", request)
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(  # type: ignore[override]
        self, type_: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, preview: bool = False
    ) -> Dict[str, Any]:
        request = provider_pb2.UpdateRequest(
            id=id_, urn=self.urn(type_), olds=to_struct(olds), news=to_struct(news), preview=preview
        )
        return from_struct(self._call("Update", request).properties)

    def delete(self, type_: str, id_: str, props: Mapping[str, Any]) -> None:  # type: ignore[override]
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=self.urn(type_), properties=to_struct(props)))


@dataclass
class State:
    """One resource in a stack's state: its id, checked inputs and outputs."""

    id: str
    inputs: Dict[str, Any]
    outputs: Dict[str, Any]


class Resource:
    """One resource of one type, stepped in the engine's order: ``up`` is Check, then Create, or Diff and, when
    something changed, Update; ``refresh`` is Read; ``destroy`` is Delete."""

    def __init__(self, server: NativeServer, type_: str) -> None:
        self.server = server
        self.type = type_

    def checked(self, news: Mapping[str, Any], olds: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        outcome = self.server.check(self.type, news, olds)
        assert outcome.failures == [], outcome.failures
        return outcome.inputs

    def up(self, news: Mapping[str, Any], state: Optional[State] = None) -> Tuple[Optional[NativeDiff], State]:
        inputs = self.checked(news, state.inputs if state else None)
        if state is None:
            id_, outs = self.server.create(self.type, inputs)
            return None, State(id_, inputs, outs)
        diff = self.server.diff(self.type, state.id, state.outputs, inputs)
        assert diff.replaces == [], f"a replace: {diff.replaces}"
        if diff.changes == "none":
            return diff, State(state.id, inputs, state.outputs)
        outs = self.server.update(self.type, state.id, state.outputs, inputs)
        return diff, State(state.id, inputs, outs)

    def diff(self, state: State, news: Mapping[str, Any]) -> NativeDiff:
        return self.server.diff(self.type, state.id, state.outputs, self.checked(news, state.inputs))

    def refresh(self, state: State) -> Optional[State]:
        id_, outs, inputs = self.server.read(self.type, state.id, state.outputs, state.inputs)
        return State(id_, inputs, outs) if id_ else None

    def destroy(self, state: State) -> None:
        self.server.delete(self.type, state.id, state.outputs)
