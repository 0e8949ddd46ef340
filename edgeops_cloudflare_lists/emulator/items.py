"""Validation and normalisation of list items, one rule set per list kind.

The service validates items inside the bulk operation, not when it accepts the write, so these functions raise
:class:`ItemError` and the operation turns the message into its ``error`` field.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple
from urllib.parse import urlsplit

KINDS: Tuple[str, ...] = ("ip", "redirect", "hostname", "asn")

# Prefix lengths Cloudflare accepts in IP lists: IPv4 CIDRs /8 to /32, IPv6 CIDRs /12 to /64. Single addresses
# of either family are accepted as they are.
IPV4_PREFIX_RANGE = (8, 32)
IPV6_PREFIX_RANGE = (12, 64)

ASN_MAX = 2**32 - 1
REDIRECT_STATUS_CODES = (301, 302, 307, 308)
REDIRECT_FLAGS = ("include_subdomains", "subpath_matching", "preserve_query_string", "preserve_path_suffix")
MAX_HOSTNAME_LENGTH = 253

_HOSTNAME_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class ItemError(ValueError):
    """An item the operation must refuse; the message is the operation's ``error``."""


@dataclass(frozen=True)
class ValidItem:
    #: Identity inside a list: writing an item with the same key again updates that item.
    key: str
    #: The kind's field name ("ip", "hostname", "asn" or "redirect") and its normalised value.
    field: str
    value: Any
    comment: Any  # str or None


def validate_item(kind: str, raw: Any, index: int) -> ValidItem:
    """Check one item of a write against its list's kind and return it normalised, or raise :class:`ItemError`."""
    where = f"invalid list item at index {index}"
    if not isinstance(raw, dict):
        raise ItemError(f"{where}: expected a JSON object")
    present = [field for field in KINDS if field in raw]
    if present != [kind]:
        if kind not in present:
            raise ItemError(f'{where}: a list of kind "{kind}" needs the "{kind}" field')
        others = ", ".join(f'"{field}"' for field in present if field != kind)
        raise ItemError(f'{where}: a list of kind "{kind}" does not accept {others}')
    comment = raw.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ItemError(f"{where}: comment must be a string")
    try:
        key, value = _VALIDATORS[kind](raw[kind])
    except ItemError as exc:
        raise ItemError(f"{where}: {exc}") from None
    return ValidItem(key=key, field=kind, value=value, comment=comment)


def matches_search(field: str, value: Any, search: str) -> bool:
    """The reference's search rule: IPs by prefix, hostnames and redirects by substring, ASNs exactly."""
    if field == "ip":
        return str(value).startswith(search)
    if field == "hostname":
        return search in value["url_hostname"]
    if field == "redirect":
        return search in value["source_url"] or search in value["target_url"]
    return str(value) == search


def _ip(raw: Any) -> Tuple[str, str]:
    if not isinstance(raw, str) or not raw or "%" in raw:
        raise ItemError(f"{raw!r} is not a valid IP address or CIDR range")
    if "/" not in raw:
        try:
            address = ipaddress.ip_address(raw)
        except ValueError:
            raise ItemError(f'"{raw}" is not a valid IP address or CIDR range') from None
        return str(address), str(address)
    try:
        network = ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        raise ItemError(f'"{raw}" is not a valid CIDR range ({exc})') from None
    low, high = IPV4_PREFIX_RANGE if network.version == 4 else IPV6_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        raise ItemError(f'"{raw}": IPv{network.version} CIDR prefixes must be between /{low} and /{high}')
    # The service stores a /32 as the bare address and IPv6 in lower case.
    text = str(network.network_address) if network.version == 4 and network.prefixlen == 32 else str(network)
    return text, text


def _hostname(raw: Any) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("url_hostname"), str):
        raise ItemError('hostname must be an object with a string "url_hostname"')
    host = raw["url_hostname"].lower()
    bare = host[2:] if host.startswith("*.") else host
    labels = bare.split(".")
    if (
        len(bare) > MAX_HOSTNAME_LENGTH
        or len(labels) < 2
        or not all(_HOSTNAME_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ItemError(
            f'"{raw["url_hostname"]}" is not a valid hostname: use a fully qualified domain name, '
            'optionally starting with "*.", without scheme, port or path'
        )
    return host, {"url_hostname": host}


def _asn(raw: Any) -> Tuple[str, int]:
    # bool is an int in Python but not in JSON: refuse true/false.
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= ASN_MAX:
        raise ItemError(f"{raw!r} is not a valid ASN: expected an integer from 0 to {ASN_MAX}")
    return str(raw), raw


def _redirect(raw: Any) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ItemError("redirect must be an object with source_url and target_url")
    source, target = raw.get("source_url"), raw.get("target_url")
    if not isinstance(source, str) or not source or any(char.isspace() for char in source):
        raise ItemError("redirect source_url must be a non-empty URL without spaces")
    if source.lower().startswith(("http://", "https://")):
        source_host = urlsplit(source).netloc
    else:
        source_host = urlsplit("//" + source).netloc
    if not source_host:
        raise ItemError(f'redirect source_url "{source}" has no hostname')
    parts = urlsplit(target) if isinstance(target, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ItemError(f"redirect target_url {target!r} must be an absolute http or https URL")
    status_code = raw.get("status_code", 301)
    if isinstance(status_code, bool) or status_code not in REDIRECT_STATUS_CODES:
        raise ItemError(f"redirect status_code {status_code!r} must be one of 301, 302, 307, 308")
    value: Dict[str, Any] = {"source_url": source, "target_url": target}
    for flag in REDIRECT_FLAGS:
        setting = raw.get(flag, False)
        if not isinstance(setting, bool):
            raise ItemError(f"redirect {flag} must be true or false")
        value[flag] = setting
    value["status_code"] = status_code
    return source, value


_VALIDATORS: Dict[str, Callable[[Any], Tuple[str, Any]]] = {
    "ip": _ip,
    "hostname": _hostname,
    "asn": _asn,
    "redirect": _redirect,
}
