"""List items: validation and canonical form per list kind, as pure functions.

This module is the emulator's canonicalizer. It is deliberately independent of the client's
(``plugins/module_utils``), so a differential test can feed both the same random items and require the same
canonical form and the same accept or refuse. Its pure entry points:

- :func:`validate_item` ``(kind, raw, index) -> ValidItem``, raising only :class:`ItemError` whatever ``raw`` is
  (any JSON value: what ``json.loads`` can return). ``ValidItem.to_json()`` is the item as Cloudflare stores it,
  without ``id`` and timestamps: ``{kind: value}`` plus ``comment`` when it has one.
- :func:`canonical_item` ``(kind, raw) -> dict``: the same as one call, for tests.
- :func:`duplicate_keys` ``(items)``: the first pair of items of one write that share an identity key.
- :func:`sort_key` ``(field, value)``: the order items are read in.

Canonical forms (what Cloudflare is documented or observed to store):

- ``ip``: ``ipaddress.ip_network(s, strict=False)``, so host bits are masked (``192.168.1.5/24`` is
  ``192.168.1.0/24``), printed bare when the prefix is full length (``/32``, ``/128``), IPv6 compressed and lower
  case (``0f::`` is ``f::``). IPv4 prefixes /8 to /32, IPv6 /12 to /128 (today's docs; the 2024 schema said /64).
  Only ``a.b.c.d`` or IPv6 text with an optional decimal prefix is accepted: no netmask (``/255.0.0.0``), no
  leading zero in the prefix (``/08``), no zone (``%eth0``), no surrounding spaces.
- ``hostname``: ``url_hostname`` lower case, ASCII letters, digits and hyphens in dot-separated labels, optionally
  starting with ``*.``. A wildcard's ``exclude_exact_hostname`` defaults to true; a non-wildcard refuses it true
  and drops it false (it has no meaning there).
- ``asn``: an integer 0 to 2**32 - 1 (not a bool, not a float, not a string).
- ``redirect``: an optional field left out (or ``null``) gets Cloudflare's default (``include_subdomains``,
  ``subpath_matching`` and ``preserve_query_string`` false, ``status_code`` 301, and ``preserve_path_suffix`` true
  as the "URL redirect parameters" page says, though the 2024 OpenAPI schema says false: ``redirect_defaults``
  sets it), and a ``source_url`` with an empty path gets ``/`` (``example.com`` is ``example.com/``,
  ``example.com?q`` is ``example.com/?q``). Nothing else in either URL is rewritten (case included).
  ``source_url`` is an optional ``http://`` or ``https://``, then a DNS name (no IP literal, no userinfo) with an
  optional port; ``target_url`` an absolute http(s) URL.
- ``comment``: a string of at most 500 characters, or absent (``null`` is absent).

The identity key of an item (two items with one key are the same item): the canonical ``ip``, the ``asn``, the
lower-cased ``hostname.url_hostname``, the ``redirect.source_url`` after the ``/`` rule.

Strictness, where Cloudflare's behaviour is unknown (the emulator refuses what Cloudflare might refuse): an item
must carry exactly its list kind's field among ``ip``/``hostname``/``asn``/``redirect`` (so echoing a read's
``hostname: {}`` back is refused); unknown keys inside ``hostname`` and ``redirect`` are refused; unknown top-level
keys (``id``, ``created_on``...) are ignored.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

KINDS: Tuple[str, ...] = ("ip", "redirect", "hostname", "asn")

IPV4_PREFIX_RANGE = (8, 32)
IPV6_PREFIX_RANGE = (12, 128)

ASN_MAX = 2**32 - 1
REDIRECT_STATUS_CODES = (301, 302, 307, 308)
#: What Cloudflare's docs give a redirect's optional fields left out of a write.
REDIRECT_DEFAULTS: Mapping[str, Any] = {
    "include_subdomains": False,
    "subpath_matching": False,
    "preserve_query_string": False,
    "preserve_path_suffix": True,
    "status_code": 301,
}
REDIRECT_FLAGS = ("include_subdomains", "subpath_matching", "preserve_query_string", "preserve_path_suffix")
MAX_HOSTNAME_LENGTH = 253
MAX_COMMENT_LENGTH = 500
#: Longest user value quoted back in an error message.
MAX_QUOTED = 80

_HOSTNAME_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# The address part is left to ipaddress; the prefix must be plain ASCII decimal without a leading zero.
_IP_TEXT = re.compile(r"([0-9A-Fa-f:.]+)(?:/(0|[1-9][0-9]{0,2}))?")
_URL_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_HOST_PORT = re.compile(r"([^:]+)(?::[0-9]{1,5})?")

#: The order items are read in: IPs by family, then address, then prefix length; the others by their value.
SortKey = Union[Tuple[int, int, int], Tuple[int], Tuple[str]]


class ItemError(ValueError):
    """An item the service refuses; the message becomes the operation's ``error`` (or a 400's message)."""


@dataclass(frozen=True)
class ValidItem:
    #: Identity inside a list: writing an item with the same key again replaces that item.
    key: str
    #: The kind's field name ("ip", "hostname", "asn" or "redirect") and its canonical value.
    field: str
    value: Any
    comment: Optional[str]

    def to_json(self) -> Dict[str, Any]:
        """The item as Cloudflare stores it, without ``id`` and timestamps."""
        body: Dict[str, Any] = {self.field: _copy(self.value)}
        if self.comment is not None:
            body["comment"] = self.comment
        return body


def redirect_defaults(*, preserve_path_suffix: bool = True) -> Mapping[str, Any]:
    """:data:`REDIRECT_DEFAULTS` with ``preserve_path_suffix``'s default set (the emulator's configuration)."""
    return {**REDIRECT_DEFAULTS, "preserve_path_suffix": preserve_path_suffix}


def validate_item(kind: str, raw: Any, index: int, *, defaults: Mapping[str, Any] = REDIRECT_DEFAULTS) -> ValidItem:
    """Check one item of a write against its list's kind; return it canonical, or raise :class:`ItemError`.

    ``defaults``: what a redirect's optional fields left out get (see :func:`redirect_defaults`). Total over JSON
    values: any other exception escaping from here is a bug.
    """
    where = f"invalid list item at index {index}"
    if kind not in KINDS:
        raise ItemError(f"{where}: unknown list kind {_quote(kind)}")
    if not isinstance(raw, dict):
        raise ItemError(f"{where}: expected a JSON object")
    present = [field for field in KINDS if field in raw]
    if present != [kind]:
        if kind not in present:
            raise ItemError(f'{where}: a list of kind "{kind}" needs the "{kind}" field')
        others = ", ".join(f'"{field}"' for field in present if field != kind)
        raise ItemError(f'{where}: a list of kind "{kind}" does not accept {others}')
    comment = raw.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH):
        raise ItemError(f"{where}: comment must be a string of at most {MAX_COMMENT_LENGTH} characters")
    try:
        key, value = _redirect(raw[kind], defaults) if kind == "redirect" else _VALIDATORS[kind](raw[kind])
    except ItemError as exc:
        raise ItemError(f"{where}: {exc}") from None
    return ValidItem(key=key, field=kind, value=value, comment=comment)


def canonical_item(kind: str, raw: Any, *, defaults: Mapping[str, Any] = REDIRECT_DEFAULTS) -> Dict[str, Any]:
    """``validate_item(kind, raw, 0).to_json()``: the stored form of one item, or :class:`ItemError`."""
    return validate_item(kind, raw, 0, defaults=defaults).to_json()


def duplicate_keys(items: Sequence[Tuple[int, ValidItem]]) -> Optional[Tuple[int, int, str]]:
    """The first (earlier index, later index, key) of two items with one identity key, or None."""
    seen: Dict[str, int] = {}
    for index, item in items:
        if item.key in seen:
            return seen[item.key], index, item.key
        seen[item.key] = index
    return None


def sort_key(field: str, value: Any) -> SortKey:
    """Items are read in ascending order of this key (for IPs: IPv4 first, then by address, then by mask)."""
    if field == "ip":
        network = ipaddress.ip_network(value)
        return (network.version, int(network.network_address), network.prefixlen)
    if field == "asn":
        return (int(value),)
    if field == "hostname":
        return (str(value["url_hostname"]),)
    return (str(value["source_url"]),)


def matches_search(field: str, value: Any, search: str) -> bool:
    """The reference's search rule: IPs by prefix, hostnames and redirects by substring, ASNs exactly."""
    if field == "ip":
        return str(value).startswith(search)
    if field == "hostname":
        return search in value["url_hostname"]
    if field == "redirect":
        return search in value["source_url"] or search in value["target_url"]
    return str(value) == search


# ------------------------------------------------------------------------------------------------ per kind
def _ip(raw: Any) -> Tuple[str, str]:
    if not isinstance(raw, str) or not _IP_TEXT.fullmatch(raw):
        raise ItemError(f"{_quote(raw)} is not a valid IP address or CIDR range")
    try:
        network = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise ItemError(f"{_quote(raw)} is not a valid IP address or CIDR range") from None
    low, high = IPV4_PREFIX_RANGE if network.version == 4 else IPV6_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        raise ItemError(f"{_quote(raw)}: IPv{network.version} CIDR prefixes must be between /{low} and /{high}")
    text = str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    return text, text


def _hostname(raw: Any) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("url_hostname"), str):
        raise ItemError('hostname must be an object with a string "url_hostname"')
    _refuse_unknown_keys("hostname", raw, ("url_hostname", "exclude_exact_hostname"))
    given = raw["url_hostname"]
    host = given.lower()
    if not _is_dns_name(given, allow_wildcard=True):
        raise ItemError(
            f"{_quote(given)} is not a valid hostname: use a fully qualified domain name, "
            'optionally starting with "*.", without scheme, port or path'
        )
    value: Dict[str, Any] = {"url_hostname": host}
    wildcard = host.startswith("*.")
    exclude = raw.get("exclude_exact_hostname")  # null is absent, as for every optional field
    if exclude is None:
        exclude = True if wildcard else None
    elif not isinstance(exclude, bool):
        raise ItemError("hostname exclude_exact_hostname must be true or false")
    if wildcard:
        value["exclude_exact_hostname"] = exclude
    elif exclude:
        # Meaningless without a wildcard: refused rather than stored, so it can never read back differently.
        raise ItemError('hostname exclude_exact_hostname applies only to a wildcard ("*.") hostname')
    return host, value


def _asn(raw: Any) -> Tuple[str, int]:
    # bool is an int in Python but not in JSON: refuse true/false.
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= ASN_MAX:
        raise ItemError(f"{_quote(raw)} is not a valid ASN: expected an integer from 0 to {ASN_MAX}")
    return str(raw), raw


def _redirect(raw: Any, defaults: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ItemError("redirect must be an object with source_url and target_url")
    _refuse_unknown_keys("redirect", raw, ("source_url", "target_url", *REDIRECT_DEFAULTS))
    source = _source_url(raw.get("source_url"))
    target = raw.get("target_url")
    if not _is_absolute_http_url(target):
        raise ItemError(f"redirect target_url {_quote(target)} must be an absolute http or https URL")
    value: Dict[str, Any] = {"source_url": source, "target_url": target}
    for flag in REDIRECT_FLAGS:
        setting = raw.get(flag)
        setting = defaults[flag] if setting is None else setting
        if not isinstance(setting, bool):
            raise ItemError(f"redirect {flag} must be true or false")
        value[flag] = setting
    status_code = raw.get("status_code")
    status_code = defaults["status_code"] if status_code is None else status_code
    if isinstance(status_code, bool) or status_code not in REDIRECT_STATUS_CODES:
        raise ItemError(f"redirect status_code {_quote(status_code)} must be one of 301, 302, 307, 308")
    value["status_code"] = status_code
    return source, value


def _source_url(given: Any) -> str:
    """The source URL with ``/`` for an empty path; a scheme is optional (``example.com/a``)."""
    if not isinstance(given, str) or not given or not given.isprintable() or any(c.isspace() for c in given):
        raise ItemError("redirect source_url must be a non-empty URL without spaces or control characters")
    source: str = given
    scheme = _URL_SCHEME.match(source)
    authority_at = scheme.end() if scheme else 0
    try:
        netloc = urlsplit("//" + source[authority_at:]).netloc
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 literal
        netloc = ""
    host_port = _HOST_PORT.fullmatch(netloc)
    if host_port is None or not _is_dns_name(host_port.group(1), allow_wildcard=False):
        raise ItemError(f"redirect source_url {_quote(source)} must start with a hostname, optionally with a scheme")
    path_at = authority_at + len(netloc)
    if not source[path_at:].startswith("/"):
        source = source[:path_at] + "/" + source[path_at:]
    return source


def _is_absolute_http_url(target: Any) -> bool:
    if not isinstance(target, str) or not target.isprintable() or any(c.isspace() for c in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_dns_name(text: str, *, allow_wildcard: bool) -> bool:
    """Dot-separated labels of ASCII letters, digits and hyphens, at least two, the last not all digits."""
    # ASCII first: str.lower() maps some non-ASCII letters onto ASCII ones (KELVIN SIGN to "k").
    if not text.isascii() or len(text) > MAX_HOSTNAME_LENGTH:
        return False
    host = text.lower()
    if allow_wildcard and host.startswith("*."):
        host = host[2:]
    labels = host.split(".")
    return len(labels) >= 2 and all(_HOSTNAME_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def _refuse_unknown_keys(what: str, raw: Dict[str, Any], known: Sequence[str]) -> None:
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise ItemError(f"{what} does not accept {', '.join(_quote(key) for key in unknown)}")


def _quote(value: Any) -> str:
    """A user value for an error message: JSON-like, and cut short so a huge value can't flood a message.

    Containers are named, not shown: showing one could recurse without bound.
    """
    if isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "null"}[value]
    elif isinstance(value, int):
        # str() of an int with more than 4,300 digits raises; a JSON body can't carry one, a caller can.
        text = str(value) if value.bit_length() <= 256 else "a very large integer"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (list, tuple)):
        text = "an array"
    elif isinstance(value, dict):
        text = "an object"
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


# A redirect also needs the defaults: validate_item calls _redirect itself.
_VALIDATORS: Dict[str, Callable[[Any], Tuple[str, Any]]] = {
    "ip": _ip,
    "hostname": _hostname,
    "asn": _asn,
}

__all__: List[str] = [
    "KINDS",
    "ItemError",
    "ValidItem",
    "canonical_item",
    "duplicate_keys",
    "matches_search",
    "redirect_defaults",
    "sort_key",
    "validate_item",
]
