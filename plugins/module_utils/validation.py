# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that run before any request is made."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any, Tuple
from urllib.parse import urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError

_ACCOUNT_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_OPERATION_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def describe_value(value: Any) -> str:
    """A short, safe rendering of a rejected value (ids are not secrets, but keep messages one line)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validate_account_id(value: Any) -> str:
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise ValidationError(
            "account_id",
            f"expected the 32 hexadecimal characters of a Cloudflare account ID, got {describe_value(value)}. "
            "Copy it from the dashboard URL or the account's Overview page.",
        )
    return value


def validate_operation_id(value: Any) -> str:
    if not isinstance(value, str) or not _OPERATION_ID.fullmatch(value):
        raise ValidationError(
            "operation_id",
            "expected the operation_id returned by a list items write (letters, digits and '-', "
            f"at most 64 characters), got {describe_value(value)}.",
        )
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(value: Any) -> str:
    """Accept https anywhere, and plain http only on loopback, so credentials never cross a network in clear."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("base_url", "expected an http(s) URL such as https://api.cloudflare.com/client/v4.")
    if "@" in value:  # userinfo, even empty; checked first so a password in it is never echoed
        raise ValidationError("base_url", "credentials must not be embedded in the URL; use the auth options.")
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
    except ValueError as exc:  # e.g. an unclosed "[" around an IPv6 address
        raise ValidationError(
            "base_url", f"expected an http(s) URL such as https://api.cloudflare.com/client/v4: {exc}."
        ) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError(
            "base_url",
            f"expected an http(s) URL such as https://api.cloudflare.com/client/v4, got {describe_value(value)}.",
        )
    if "?" in value or "#" in value:  # even empty: the request path would land in the query or fragment
        raise ValidationError("base_url", f"expected no query string or fragment, got {describe_value(value)}.")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValidationError(
            "base_url",
            f"refusing to send credentials over plain http to {host}; use https (plain http is allowed only "
            "on loopback, for an emulator).",
        )
    return value.strip().rstrip("/")


def validate_positive_number(parameter: str, value: Any, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(parameter, f"expected a number of seconds, got {describe_value(value)}.")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        limit = "zero or more" if allow_zero else "more than zero"
        raise ValidationError(parameter, f"expected {limit} seconds, got {describe_value(value)}.")
    return number


def validate_ids(account_id: Any, operation_id: Any) -> Tuple[str, str]:
    return validate_account_id(account_id), validate_operation_id(operation_id)
