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
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub

_ACCOUNT_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_OPERATION_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def describe_value(value: Any) -> str:
    """A short, safe rendering of a rejected value, on one line: scrubbed before it is cut short, so no part of a
    credential is left (a value may come from a server that echoes one)."""
    text = scrub(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."


def validate_account_id(value: Any) -> str:
    """The account ID in lower case: Cloudflare's routing refuses upper-case hex (error 7003)."""
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise ValidationError(
            "account_id",
            f"expected the 32 hexadecimal characters of a Cloudflare account ID, got {describe_value(value)}. "
            "Copy it from the dashboard URL or the account's Overview page.",
        )
    return value.lower()


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


_EXAMPLE_URL = "https://api.cloudflare.com/client/v4"
# Visible ASCII: what a URL carries unencoded. Whitespace or a control character in a host made requests fail
# late (exit 4), or retry name resolution for a minute.
_URL_TEXT = re.compile(r"[\x21-\x7e]+")
_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    name = host[:-1] if host.endswith(".") else host  # a fully qualified name may end with a dot
    return 0 < len(name) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in name.split("."))


def validate_base_url(value: Any) -> str:
    """Accept https anywhere, and plain http only on loopback, so credentials never cross a network in clear.

    Whatever requests would refuse, or send somewhere unintended, is refused here, before any request: a port
    outside 1-65535, a host that is not a host name or an IP address, spaces, control or non-ASCII characters.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("base_url", f"expected an http(s) URL such as {_EXAMPLE_URL}.")
    if "@" in value:  # userinfo, even empty; checked first so a password in it is never echoed
        raise ValidationError(
            "base_url",
            "credentials must not be embedded in the URL; give them as api_token, or account_email and "
            "account_api_key.",
        )
    text = value.strip()
    if not _URL_TEXT.fullmatch(text):
        raise ValidationError(
            "base_url",
            f"expected an http(s) URL such as {_EXAMPLE_URL}, got {describe_value(value)}, which contains spaces, "
            "control or non-ASCII characters (give a non-ASCII host name in its ASCII xn-- form).",
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:  # an unclosed "[" around an IPv6 address, a port out of range or not a number
        raise ValidationError("base_url", f"expected an http(s) URL such as {_EXAMPLE_URL}: {exc}.") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(
            "base_url", f"expected an http(s) URL such as {_EXAMPLE_URL}, got {describe_value(value)}."
        )
    if port == 0:
        raise ValidationError("base_url", f"expected a port from 1 to 65535, got 0 in {describe_value(value)}.")
    if not _valid_host(host):
        raise ValidationError(
            "base_url", f"expected a host name or an IP address, got {describe_value(host)} in {describe_value(value)}."
        )
    if "?" in text or "#" in text:  # even empty: the request path would land in the query or fragment
        raise ValidationError("base_url", f"expected no query string or fragment, got {describe_value(value)}.")
    if parts.scheme.lower() == "http" and not _is_loopback(host):
        raise ValidationError(
            "base_url",
            f"refusing to send credentials over plain http to {host}; use https (plain http is allowed only "
            "on loopback, for an emulator).",
        )
    return text.rstrip("/")


# Bounds of the number options, in seconds. Beyond them a value is a mistake (and some would overflow a timer).
MAX_REQUEST_TIMEOUT = 600.0
MAX_WAIT_TIMEOUT = 86400.0
# Shorter pauses spend the rate limit Cloudflare shares between all of a user's tokens and tools.
MIN_MAX_INTERVAL = 1.0
MAX_MAX_INTERVAL = 3600.0
RATE_LIMIT_NOTE = "Cloudflare allows 1,200 requests per 5 minutes per user, shared by all of its tokens"


def validate_positive_number(
    parameter: str,
    value: Any,
    *,
    allow_zero: bool = False,
    minimum: float = 0.0,
    maximum: float = math.inf,
    why: str = "",
) -> float:
    """A finite number of seconds, more than zero (or zero with ``allow_zero``), within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(parameter, f"expected a number of seconds, got {describe_value(value)}.")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        limit = "zero or more" if allow_zero else "more than zero"
        raise ValidationError(parameter, f"expected {limit} seconds, got {describe_value(value)}.")
    reason = f" ({why})" if why else ""
    if number < minimum:
        raise ValidationError(parameter, f"expected at least {_seconds(minimum)}{reason}, got {describe_value(value)}.")
    if number > maximum:
        raise ValidationError(parameter, f"expected at most {_seconds(maximum)}{reason}, got {describe_value(value)}.")
    return number


def _seconds(number: float) -> str:
    return f"{number:g} second" + ("" if number == 1 else "s")


def validate_request_timeout(value: Any) -> float:
    return validate_positive_number("request_timeout", value, maximum=MAX_REQUEST_TIMEOUT)


def validate_wait_timeout(value: Any) -> float:
    return validate_positive_number("wait_timeout", value, allow_zero=True, maximum=MAX_WAIT_TIMEOUT)


def validate_max_interval(value: Any) -> float:
    return validate_positive_number(
        "wait_max_interval", value, minimum=MIN_MAX_INTERVAL, maximum=MAX_MAX_INTERVAL, why=RATE_LIMIT_NOTE
    )


def validate_number_param(parameter: str, value: Any) -> Any:
    """A number given as text (an Ansible or environment value) as a float; anything else is checked later."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValidationError(parameter, f"expected a number of seconds, got {describe_value(value)}.") from None
    return value


def validate_ids(account_id: Any, operation_id: Any) -> Tuple[str, str]:
    return validate_account_id(account_id), validate_operation_id(operation_id)
