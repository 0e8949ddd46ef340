# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""List items in the canonical form Cloudflare stores, and the pure planner over them.

Every comparison is made between canonical items, so ``10.0.0.1/32`` and ``10.0.0.1`` are one item, and a rerun
with nothing to change plans nothing. Pure functions: no I/O.

- ``parse_item(kind, raw, index)`` turns what a user wrote into a ``ListItem``, or raises ``ValidationError``
  naming the item's index and what is wrong.
- ``item_from_api(kind, raw)`` reads an item as the API returns it (with ``id``, ``created_on``, and the
  other kinds' empty objects).
- ``plan(current, desired, mode)`` says what must be added, updated and removed.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections import abc
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ItemsValidationError,
    MalformedResponseError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import describe_value

KINDS: Tuple[str, ...] = ("ip", "hostname", "asn", "redirect")

# What Cloudflare accepts in IP lists today: IPv4 /8 to /32, IPv6 /12 to /128 (single addresses of either family).
IPV4_PREFIXES = (8, 32)
IPV6_PREFIXES = (12, 128)
ASN_MAX = 2**32 - 1
MAX_COMMENT_LENGTH = 500
MAX_HOSTNAME_LENGTH = 253
REDIRECT_STATUS_CODES = (301, 302, 307, 308)
# A redirect's optional fields. One left out is left to Cloudflare: not sent, and not compared (its documented
# defaults disagree: the parameters page gives preserve_path_suffix true, the 2024 OpenAPI false).
REDIRECT_FLAGS = ("include_subdomains", "subpath_matching", "preserve_query_string", "preserve_path_suffix")
REDIRECT_OPTIONAL_FIELDS = (*REDIRECT_FLAGS, "status_code")
REDIRECT_FIELDS = ("source_url", "target_url", *REDIRECT_OPTIONAL_FIELDS)
HOSTNAME_FIELDS = ("url_hostname", "exclude_exact_hostname")
# Fields of an item as the API returns it, besides the kind's own.
_READ_ONLY_FIELDS = frozenset(("id", "created_on", "modified_on"))

#: Set membership modes. ``exact``: the list holds exactly the desired items. ``present``: add what is missing
#: and update what differs, touch nothing else. ``absent``: remove the given items where they exist.
EXACT = "exact"
PRESENT = "present"
ABSENT = "absent"
MODES = (EXACT, PRESENT, ABSENT)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ASN_TEXT = re.compile(r"^(?:AS)?([0-9]{1,10})$", re.IGNORECASE | re.ASCII)
_SOURCE_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# A source URL's host and optional port, up to its path, query or fragment.
_AUTHORITY = re.compile(r"([^/?#:]*)(?::[0-9]{1,5})?(?=[/?#]|$)")
# An address and an optional decimal prefix: no netmask ("/255.0.0.0"), zone ("%eth0"), spaces or "/08".
_IP_TEXT = re.compile(r"[0-9A-Fa-f:.]+(?:/(?:0|[1-9][0-9]{0,2}))?")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


@dataclass(frozen=True)
class ListItem:
    """One item, canonical. ``value`` is a str (ip), an int (asn) or a dict of every field (hostname, redirect).

    ``key`` is the item's identity in its list; ``id`` is Cloudflare's, known only for items read back.
    Equality ignores ``id``: two items are the same when kind, value and comment are.
    """

    kind: str
    key: str
    value: Any = field(hash=False)
    comment: Optional[str] = None
    id: Optional[str] = field(default=None, compare=False)
    #: Where Cloudflare sorts the item (see ``sort_key``); derived from the key.
    order: Tuple[Any, ...] = field(default=(), compare=False, repr=False)
    # The value in a comparable, hashable form: dict values as sorted JSON.
    _value_json: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        value = self.value
        object.__setattr__(self, "_value_json", json.dumps(value, sort_keys=True) if isinstance(value, dict) else value)
        if not self.order:
            object.__setattr__(self, "order", _order(self.kind, self.key))

    def to_dict(self) -> Dict[str, Any]:
        """The canonical item as users see it: ``{kind: value}``, plus ``comment`` when there is one."""
        out: Dict[str, Any] = {self.kind: _copy(self.value)}
        if self.comment is not None:
            out["comment"] = self.comment
        return out

    def to_api(self, *, clear_comment: bool = False) -> Dict[str, Any]:
        """The body of this item in a write. ``clear_comment`` sends an empty comment to remove an old one."""
        out = self.to_dict()
        if self.comment is None and clear_comment:
            out["comment"] = ""
        return out

    def same_content(self, other: ListItem) -> bool:
        return self._value_json == other._value_json and self.comment == other.comment

    def satisfied_by(self, current: ListItem) -> bool:
        """Whether ``current`` (as the list holds it) already is this wanted item.

        Fields this item leaves out (a redirect's optional ones) are Cloudflare's to fill, so only the given ones
        are compared; the comment always is.
        """
        if self.comment != current.comment:
            return False
        if isinstance(self.value, dict) and isinstance(current.value, dict):
            return all(current.value.get(name) == setting for name, setting in self.value.items())
        return bool(self._value_json == current._value_json)


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


# ---------------------------------------------------------------------------------------------------------------
# Canonical values, per kind. Each takes the kind's value (a plain value or the kind's object) and returns
# (key, canonical value), or raises ValueError with what is wrong. ``strict`` applies the limits Cloudflare
# enforces on writes; reads are parsed without them, so a list holding an item we would refuse still plans.


def canonical_ip(raw: Any, strict: bool = True) -> Tuple[str, str]:
    if isinstance(raw, str) and _DOTTED_QUAD.fullmatch(raw):
        return raw, raw  # the common case, already canonical: skip ipaddress's slower parse
    if not isinstance(raw, str) or not _IP_TEXT.fullmatch(raw):
        raise ValueError(f"{_show(raw)} is not an IP address or CIDR range")
    try:
        network = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise ValueError(f"{_show(raw)} is not an IP address or CIDR range") from None
    if strict and "/" in raw:
        low, high = IPV4_PREFIXES if network.version == 4 else IPV6_PREFIXES
        if not low <= network.prefixlen <= high:
            raise ValueError(f"{_show(raw)}: Cloudflare accepts IPv{network.version} prefixes from /{low} to /{high}")
    # Host bits are masked; a full-length prefix is shown as the bare address; IPv6 compressed, lower case.
    text = str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    return text, text


def _is_dns_name(text: str, wildcard: bool) -> bool:
    """Two or more dot-separated labels of ASCII letters, digits and '-', the last not all digits."""
    # ASCII before lower(): it maps some other letters onto ASCII ones (KELVIN SIGN to "k").
    if not text.isascii() or len(text) > MAX_HOSTNAME_LENGTH:
        return False
    host = text.lower()
    if wildcard and host.startswith("*."):
        host = host[2:]
    labels = host.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def _hostname_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"url_hostname must be a string, got {_show(raw)}")
    host = raw.lower()
    if not _is_dns_name(raw, wildcard=True):
        raise ValueError(
            f"{_show(raw)} is not a hostname: give a fully qualified name of letters, digits and '-', "
            "optionally starting with '*.', without scheme, port or path"
        )
    return host


def canonical_hostname(raw: Any, strict: bool = True) -> Tuple[str, Dict[str, Any]]:
    fields = {"url_hostname": raw} if isinstance(raw, str) else raw
    if not isinstance(fields, abc.Mapping):
        raise ValueError(f"a hostname is a string or an object with url_hostname, got {_show(raw)}")
    _refuse_unknown(fields, HOSTNAME_FIELDS, "a hostname")
    host = _hostname_text(fields.get("url_hostname"))
    value: Dict[str, Any] = {"url_hostname": host}
    exclude = fields.get("exclude_exact_hostname")
    if exclude is not None and not isinstance(exclude, bool):
        raise ValueError(f"exclude_exact_hostname must be true or false, got {_show(exclude)}")
    if host.startswith("*."):
        # Cloudflare reads a wildcard back with exclude_exact_hostname true unless it was given false.
        value["exclude_exact_hostname"] = True if exclude is None else exclude
    elif exclude and strict:
        raise ValueError(f"exclude_exact_hostname applies only to a wildcard ('*.') hostname, not {host!r}")
    return host, value


def canonical_asn(raw: Any, strict: bool = True) -> Tuple[str, int]:
    number: Optional[int] = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, str):
        match = _ASN_TEXT.fullmatch(raw)
        number = int(match.group(1)) if match else None
    if number is None or not 0 <= number <= ASN_MAX:
        raise ValueError(f"{_show(raw)} is not an ASN: expected an integer from 0 to {ASN_MAX}")
    return str(number), number


def _canonical_source_url(raw: Any) -> str:
    """A hostname, an optional port, scheme and path; an empty path becomes "/", nothing else is rewritten."""
    if not isinstance(raw, str) or not raw or not raw.isprintable() or any(char.isspace() for char in raw):
        raise ValueError(f"source_url must be a URL without spaces or control characters, got {_show(raw)}")
    scheme = _SOURCE_SCHEME.match(raw)
    rest = raw[scheme.end() :] if scheme else raw
    authority = _AUTHORITY.match(rest)
    host = authority.group(1) if authority else ""
    if authority is None or not _is_dns_name(host, wildcard=False):
        raise ValueError(f"source_url {_show(raw)} must start with a hostname (a scheme is optional)")
    path = rest[authority.end() :]
    return raw[: len(raw) - len(path)] + ("" if path.startswith("/") else "/") + path


def _canonical_target_url(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.isprintable() or any(char.isspace() for char in raw):
        raise ValueError(f"target_url must be an absolute http or https URL, got {_show(raw)}")
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise ValueError(f"target_url {_show(raw)} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"target_url must be an absolute http or https URL, got {_show(raw)}")
    return raw


def canonical_redirect(raw: Any, strict: bool = True) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(raw, abc.Mapping):
        raise ValueError(f"a redirect is an object with source_url and target_url, got {_show(raw)}")
    _refuse_unknown(raw, REDIRECT_FIELDS, "a redirect")
    source = _canonical_source_url(raw.get("source_url"))
    value: Dict[str, Any] = {"source_url": source, "target_url": _canonical_target_url(raw.get("target_url"))}
    for name in REDIRECT_OPTIONAL_FIELDS:
        setting = raw.get(name)
        if setting is None:
            continue  # left to Cloudflare
        if name == "status_code":
            if isinstance(setting, bool) or setting not in REDIRECT_STATUS_CODES:
                raise ValueError(f"status_code must be one of 301, 302, 307, 308, got {_show(setting)}")
            setting = int(setting)
        elif not isinstance(setting, bool):
            raise ValueError(f"{name} must be true or false, got {_show(setting)}")
        value[name] = setting
    return source, value


_CANONICAL: Dict[str, Callable[[Any, bool], Tuple[str, Any]]] = {
    "ip": canonical_ip,
    "hostname": canonical_hostname,
    "asn": canonical_asn,
    "redirect": canonical_redirect,
}
_NOUNS = {"ip": "an IP address or CIDR range", "hostname": "a hostname", "asn": "an ASN", "redirect": "a redirect"}
# The fields that may be given flat, without the kind's wrapper object.
_FLAT_FIELDS = {"hostname": HOSTNAME_FIELDS, "redirect": REDIRECT_FIELDS}


def _show(value: Any) -> str:
    return describe_value(value)


def _refuse_unknown(fields: Mapping[str, Any], known: Sequence[str], what: str) -> None:
    unknown = sorted(str(name) for name in fields if name not in known)
    if unknown:
        raise ValueError(f"{what} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(known)}")


def validate_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise ValidationError("kind", f"expected one of {', '.join(KINDS)}, got {_show(kind)}.")
    return str(kind)


def validate_mode(mode: Any) -> str:
    if mode not in MODES:
        raise ValidationError("mode", f"expected one of {', '.join(MODES)}, got {_show(mode)}.")
    return str(mode)


def _comment(raw: Any) -> Optional[str]:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ValueError(f"comment must be a string, got {_show(raw)}")
    if len(raw) > MAX_COMMENT_LENGTH:
        raise ValueError(f"comment is {len(raw)} characters long; Cloudflare allows at most {MAX_COMMENT_LENGTH}")
    return raw


def parse_item(kind: str, raw: Any, index: int = 0) -> ListItem:
    """A user's item as Cloudflare will store it.

    ``raw`` is a plain value where the kind has one (``"192.0.2.1"``, ``13335``, ``"*.example.com"``), or a
    dict: the kind's field (``{"ip": ..., "comment": ...}``), or for hostnames and redirects their fields given
    flat (``{"source_url": ..., "target_url": ...}``).
    """
    kind = validate_kind(kind)
    try:
        value, comment = _split(kind, raw)
        key, canonical = _CANONICAL[kind](value, True)
        return ListItem(kind=kind, key=key, value=canonical, comment=_comment(comment))
    except ValueError as exc:
        raise ValidationError(f"items[{index}]", f"{exc}.") from None


def _split(kind: str, raw: Any) -> Tuple[Any, Any]:
    """(the kind's value, the comment) from a user's item."""
    if not isinstance(raw, abc.Mapping):
        if kind == "redirect":
            raise ValueError(f"a redirect item is an object with source_url and target_url, got {_show(raw)}")
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(f"expected {_NOUNS[kind]} or an object with {kind!r}, got {_show(raw)}")
        return raw, None
    others = [name for name in KINDS if name != kind and name in raw]
    if others:
        raise ValueError(f"a list of kind {kind!r} holds no {', '.join(map(repr, others))} items")
    if kind in raw:
        _refuse_unknown(raw, (kind, "comment"), "an item")
        return raw[kind], raw.get("comment")
    flat = _FLAT_FIELDS.get(kind)
    if flat and any(name in raw for name in flat):
        value = {name: raw[name] for name in raw if name != "comment"}
        return value, raw.get("comment")
    raise ValueError(f"expected the field {kind!r}, got {_show(dict(raw))}")


def parse_items(kind: str, raws: Iterable[Any]) -> List[ListItem]:
    """Parse every item, or raise one ``ItemsValidationError`` that names every bad item (up to a cap).

    Two items with one identity key are an error naming both indexes and quoting what was written.
    """
    kind = validate_kind(kind)
    items: List[ListItem] = []
    problems: List[Tuple[str, str]] = []
    seen: Dict[str, Tuple[int, Any]] = {}
    total = 0
    for index, raw in enumerate(raws):
        total += 1
        try:
            item = parse_item(kind, raw, index)
        except ValidationError as exc:
            problems.append((exc.parameter, exc.problem))
            continue
        if item.key in seen:
            first, first_raw = seen[item.key]
            problems.append(
                (
                    f"items[{index}]",
                    f"{_show(raw)} is the same {kind} as items[{first}] ({_show(first_raw)}) once written as "
                    f"Cloudflare stores it ({item.key!r}); give each item once.",
                )
            )
            continue
        seen[item.key] = (index, raw)
        items.append(item)
    if problems:
        raise ItemsValidationError(problems, total)
    return items


def item_from_api(kind: str, raw: Any, *, what: str = "the list's items") -> ListItem:
    """An item as read from the API, canonical, with its ``id``."""
    try:
        if not isinstance(raw, abc.Mapping) or kind not in raw:
            raise ValueError(f"expected an object with {kind!r}")
        fields = raw[kind]
        if kind == "hostname" and isinstance(fields, abc.Mapping):
            fields = {name: fields[name] for name in HOSTNAME_FIELDS if name in fields}
        key, value = _CANONICAL[kind](fields, False)
        comment = raw.get("comment")
        item_id = raw.get("id")
        return ListItem(
            kind=kind,
            key=key,
            value=value,
            comment=_comment(comment),
            id=item_id if isinstance(item_id, str) else None,
        )
    except ValueError as exc:
        raise MalformedResponseError(
            f"{what}: an item Cloudflare returned is not a valid {kind} item ({exc}): {_show(raw)}."
        ) from None


def _order(kind: str, key: str) -> Tuple[Any, ...]:
    """Cloudflare's order: IPs by family, address, then prefix length; ASNs by number; others by key."""
    if kind == "ip":
        if _DOTTED_QUAD.fullmatch(key):
            octets = key.split(".")
            return (4, (int(octets[0]) << 24) | (int(octets[1]) << 16) | (int(octets[2]) << 8) | int(octets[3]), 32)
        network = ipaddress.ip_network(key)
        return (network.version, int(network.network_address), network.prefixlen)
    if kind == "asn":
        return (0, int(key), 0)
    return (0, key, 0)


def sort_key(item: ListItem) -> Tuple[Any, ...]:
    return item.order


def sorted_items(items: Iterable[ListItem]) -> List[ListItem]:
    return sorted(items, key=sort_key)


@dataclass(frozen=True)
class ItemUpdate:
    """An item that stays, with another value (a redirect's target, a hostname's flag) or comment."""

    before: ListItem
    after: ListItem

    def to_dict(self) -> Dict[str, Any]:
        return {"before": self.before.to_dict(), "after": self.after.to_dict()}


@dataclass(frozen=True)
class PlannedWrite:
    """One request of a plan: ``POST`` (add and update), ``DELETE`` (remove by id) or ``PUT`` (replace all).

    ``items``: what it writes (``POST``, ``PUT``) or removes (``DELETE``). ``body``: the request's JSON body.
    """

    method: str
    items: Tuple[ListItem, ...]
    body: Any = field(compare=False, repr=False)

    def to_dict(self) -> Dict[str, Any]:
        return {"method": self.method, "items": len(self.items)}

    def describe(self) -> str:
        """E.g. "POST of 3 items" (added or updated), "DELETE of 1 item"."""
        return f"{self.method} of {len(self.items)} item{'' if len(self.items) == 1 else 's'}"


@dataclass(frozen=True)
class ItemsPlan:
    """What a write must change. ``before`` and ``after`` are the list's items around it, sorted.

    In ``present`` and ``absent`` modes, items the plan leaves alone are in both ``before`` and ``after``.
    """

    mode: str
    add: Tuple[ListItem, ...]
    update: Tuple[ItemUpdate, ...]
    remove: Tuple[ListItem, ...]
    before: Tuple[ListItem, ...]
    after: Tuple[ListItem, ...]

    @property
    def changed(self) -> bool:
        return bool(self.add or self.update or self.remove)

    @cached_property
    def writes(self) -> Tuple[PlannedWrite, ...]:
        """The requests that carry out this plan, in order; none when nothing changes.

        Only what changes is written, so every other item keeps its id and ``modified_on``, and an item another
        writer added meanwhile stays: one ``POST`` of the additions and updates, then one ``DELETE`` of the
        removals by id. Additions go first, so during the change the list holds the old items plus the new ones,
        never less. A ``PUT`` (Cloudflare's "replace every item") only when no item of the list stays as it is:
        then it rewrites nothing the two writes would not, in one operation instead of two.
        """
        upserts = self.add + tuple(change.after for change in self.update)
        if not upserts and not self.remove:
            return ()
        # An update must clear a comment it drops: a POST without one may keep the old.
        cleared = {change.after.key for change in self.update if change.before.comment is not None}
        upsert_body = [item.to_api(clear_comment=item.key in cleared) for item in upserts]
        removals = tuple(item for item in self.remove if item.id)
        if upserts and removals and len(self.update) + len(self.remove) == len(self.before):
            return (PlannedWrite("PUT", self.after, [item.to_api() for item in self.after]),)
        writes: List[PlannedWrite] = []
        if upserts:
            writes.append(PlannedWrite("POST", upserts, upsert_body))
        if removals:
            writes.append(PlannedWrite("DELETE", removals, {"items": [{"id": item.id} for item in removals]}))
        return tuple(writes)

    def to_dict(self) -> Dict[str, Any]:
        """``{"add": [...], "update": [...], "remove": [...], "writes": [...]}`` of canonical items (updates as
        their new form), and the requests that would carry them out (``{"method", "items"}`` each)."""
        return {
            "add": [item.to_dict() for item in self.add],
            "update": [change.after.to_dict() for change in self.update],
            "remove": [item.to_dict() for item in self.remove],
            "writes": [write.to_dict() for write in self.writes],
        }

    def diff(self) -> Dict[str, List[Dict[str, Any]]]:
        """``{"before": [...], "after": [...]}``: the items around the change, the shape adapters show as a diff."""
        return {
            "before": [item.to_dict() for item in self.before],
            "after": [item.to_dict() for item in self.after],
        }

    def summary(self) -> str:
        """The plan in words, e.g. "add 2, update 1, remove 0 (of 40 items)"."""
        return "add {}, update {}, remove {} (of {} item{} now)".format(
            len(self.add), len(self.update), len(self.remove), len(self.before), "" if len(self.before) == 1 else "s"
        )


def plan(
    current: Sequence[ListItem],
    desired: Sequence[ListItem],
    mode: str = EXACT,
    *,
    owned_keys: Optional[Iterable[str]] = None,
) -> ItemsPlan:
    """What must change for the list to hold ``desired``, in ``mode`` (see ``MODES``).

    ``current`` is what the list holds (each key once, as Cloudflare keeps it); ``desired`` is parsed items with
    distinct keys. A same-key item whose value or comment differs is an update. ``present`` removes nothing,
    except, when ``owned_keys`` is given, the items with those keys (the caller's own, from an earlier run) that
    ``desired`` no longer holds; every other item is left alone.
    """
    mode = validate_mode(mode)
    if owned_keys is not None and mode != PRESENT:
        raise ValidationError("owned_keys", f"applies only to mode {PRESENT!r}, not {mode!r}.")
    by_key: Dict[str, ListItem] = {}
    for item in current:
        by_key.setdefault(item.key, item)
    add: List[ListItem] = []
    update: List[ItemUpdate] = []
    remove: List[ListItem] = []
    after: Dict[str, ListItem] = {} if mode == EXACT else dict(by_key)
    if mode == ABSENT:
        for item in desired:
            existing = by_key.get(item.key)
            if existing is not None:
                remove.append(existing)
                del after[item.key]
    else:
        for item in desired:
            existing = by_key.get(item.key)
            if existing is None:
                add.append(item)
                after[item.key] = item
            elif item.satisfied_by(existing):
                after[item.key] = existing
            else:
                update.append(ItemUpdate(before=existing, after=item))
                after[item.key] = _with_id(item, existing.id)
        if mode == EXACT:
            remove = [item for key, item in by_key.items() if key not in after]
        elif owned_keys is not None:
            wanted = {item.key for item in desired}
            remove = [by_key[key] for key in set(owned_keys) if key in by_key and key not in wanted]
            for item in remove:
                del after[item.key]
    return ItemsPlan(
        mode=mode,
        add=tuple(sorted_items(add)),
        update=tuple(sorted(update, key=lambda change: sort_key(change.after))),
        remove=tuple(sorted_items(remove)),
        before=tuple(sorted_items(by_key.values())),
        after=tuple(sorted_items(after.values())),
    )


def _with_id(item: ListItem, item_id: Optional[str]) -> ListItem:
    return dataclasses.replace(item, id=item_id)
