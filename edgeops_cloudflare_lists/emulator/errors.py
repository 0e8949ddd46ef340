"""Error codes the emulator answers with, and the exception that carries one to the HTTP layer.

Codes below 10001 are the ones Cloudflare's API is seen to return for the same situation. Cloudflare does not
publish the Lists service's own codes, so the LISTS_* values are the emulator's choice: stable, documented here,
and in the 10001+ range so no client mistakes them for the real 10000 "Authentication error".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

# Cloudflare-wide codes.
THROTTLED = 971  # "Please wait and consider throttling your request speed"
INVALID_REQUEST_HEADERS = 6003
INVALID_AUTHORIZATION_FORMAT = 6111
NO_ROUTE = 7000
COULD_NOT_ROUTE = 7003
MISSING_AUTH_HEADERS = 9106
AUTHENTICATION_ERROR = 10000

# Lists codes chosen by the emulator (see module docstring).
LISTS_INVALID_REQUEST = 10001
LISTS_INVALID_NAME = 10002
LISTS_INVALID_KIND = 10003
LISTS_INVALID_DESCRIPTION = 10004
LISTS_DUPLICATE_NAME = 10005
LISTS_NOT_FOUND = 10006
#: 429: the account already has a pending bulk operation ("There is a limit of 1 pending bulk operation per
#: account"). Cloudflare's own code for this is unknown; the message tells it apart from 971.
LISTS_OPERATION_PENDING = 10007
#: 400: two items of one write have the same identity key (Cloudflare's behaviour is unknown: refusing is safe).
LISTS_DUPLICATE_ITEMS = 10008
#: 400: an invalid item, when the emulator is set to refuse those at once (``item_errors="request"``).
LISTS_INVALID_ITEM = 10009
#: 413: the request body is larger than the emulator's ``max_body_bytes``.
LISTS_BODY_TOO_LARGE = 10010
#: 500: a bug in the emulator (counted in its stats as ``internal_errors``; no input should ever cause one).
LISTS_INTERNAL_ERROR = 10011
#: 429: a write past the account's write quota (item changes, or item-writing requests, per 12 hours), with a
#: message that starts "Write quota exceeded (" and names the quota, and ``Retry-After``. What Cloudflare answers is
#: not published: the emulator assumes a 429 like its other limits, with a code of its own, so a client must tell
#: it from the pending operation's 429 by code or message, and must not retry it blindly.
LISTS_WRITE_QUOTA_EXCEEDED = 10012

THROTTLED_MESSAGE = "Please wait and consider throttling your request speed"


class ApiError(Exception):
    """A request the service refuses: becomes a ``success: false`` envelope with this HTTP status."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        more: Optional[List[Dict[str, Any]]] = None,
        chain: Optional[List[Dict[str, Any]]] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        #: Further entries for the ``errors`` array, e.g. 7000 after a 7003.
        self.more = more or []
        #: Causes, shown as ``error_chain`` inside the first error as Cloudflare does for header problems.
        self.chain = chain or []
        self.headers = headers or {}

    def errors(self) -> List[Dict[str, Any]]:
        first: Dict[str, Any] = {"code": self.code, "message": self.message}
        if self.chain:
            first["error_chain"] = self.chain
        return [first, *self.more]


def invalid_request(message: str) -> ApiError:
    return ApiError(400, LISTS_INVALID_REQUEST, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, LISTS_NOT_FOUND, f"{what} not found")
