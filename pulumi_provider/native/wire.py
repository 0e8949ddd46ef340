"""Properties as the engine sends them, and as the shared providers take them.

The engine speaks ``PropertyValue`` maps with camelCase names (``accountId``), numbers as floats, unknowns and
secrets as markers. The shared providers (``RulesListProvider``...) take plain dicts named like the core's options
(``account_id``), with ``Unknown`` for a value not known yet. Only names are translated: values (items, in
Cloudflare's own JSON) pass as they are, except the keys of the objects named in ``nested`` (a write's facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Set, Tuple

from pulumi.output import UNKNOWN
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

from pulumi_provider.schema import is_unknown


def camel(name: str) -> str:
    """``account_id`` -> ``accountId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_plain(value: PropertyValue) -> Any:
    """A value as Python data: lists, dicts, floats; a computed value is ``Unknown``; secrets are unwrapped."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, (list, tuple)):
        return [to_plain(item) for item in inner]
    if isinstance(inner, Mapping):
        return {key: to_plain(item) for key, item in inner.items()}
    return inner


def to_value(value: Any, secret: bool = False) -> PropertyValue:
    """Python data as a ``PropertyValue`` (ints as floats, ``Unknown`` as computed)."""
    if is_unknown(value) and not isinstance(value, (list, tuple, Mapping)):
        # The wire's sentinel string: the SDK (3.272) can't marshal its own computed value.
        out = PropertyValue(rpc.UNKNOWN)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        out = PropertyValue(value)
    elif isinstance(value, (int, float)):
        out = PropertyValue(float(value))
    elif isinstance(value, (list, tuple)):
        out = PropertyValue([to_value(item) for item in value])
    elif isinstance(value, Mapping):
        out = PropertyValue({str(key): to_value(item) for key, item in value.items()})
    else:
        out = PropertyValue(str(value))
    return out.with_secret(True) if secret else out


@dataclass(frozen=True)
class Names:
    """One resource's (or the provider's) property names: the core's, and the engine's camelCase for each.

    ``nested``: object properties whose own keys are translated too (a write's facts: ``completed_at``).
    """

    names: Tuple[str, ...]
    nested: FrozenSet[str] = frozenset()

    @property
    def to_engine(self) -> Dict[str, str]:
        return {name: camel(name) for name in self.names}

    @property
    def from_engine(self) -> Dict[str, str]:
        return {camel(name): name for name in self.names}

    def unknown(self, props: Mapping[str, Any]) -> List[str]:
        """The engine's names in ``props`` that are none of this resource's properties."""
        return sorted(set(props) - set(self.from_engine))

    def incoming(self, props: Mapping[str, PropertyValue]) -> Tuple[Dict[str, Any], Set[str]]:
        """Plain properties under the core's names (unknown names dropped), and the names whose value is secret."""
        plain: Dict[str, Any] = {}
        secret: Set[str] = set()
        for key, value in props.items():
            name = self.from_engine.get(key)
            if name is None:
                continue
            plain[name] = self._rename_nested(name, to_plain(value), self.from_engine_key)
            if value.contains_secret():
                secret.add(name)
        return plain, secret

    def outgoing(self, props: Mapping[str, Any], secret: Iterable[str] = ()) -> Dict[str, PropertyValue]:
        """Properties for the engine: camelCase names, ``secret`` ones marked so (the engine then encrypts them)."""
        secrets = set(secret)
        return {
            self.to_engine.get(name, name): to_value(self._rename_nested(name, value, camel), name in secrets)
            for name, value in props.items()
        }

    def path(self, path: str) -> str:
        """A property path (``account_id``, ``items[3]``) in the engine's names."""
        head, bracket, rest = path.partition("[")
        return self.to_engine.get(head, head) + bracket + rest

    @staticmethod
    def from_engine_key(key: str) -> str:
        return "".join(f"_{char.lower()}" if char.isupper() else char for char in key)

    def _rename_nested(self, name: str, value: Any, rename: Any) -> Any:
        if name in self.nested and isinstance(value, Mapping):
            return {rename(key): item for key, item in value.items()}
        return value
