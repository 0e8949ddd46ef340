# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn one HTTP answer from the Cloudflare API into a result or a typed error.

Pure functions over (status code, headers, body): no I/O, so every branch is testable and fuzzable.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Type

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import quoting
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthenticationError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    NotFoundError,
    OperationPendingError,
    QuotaExceededError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import (
    FINISHED_STATUSES,
    KNOWN_STATUSES,
    BulkOperationFacts,
    normalize_timestamp,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import sanitize
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import parse_retry_after

EXCERPT_CHARS = 120
scrub = quoting.scrub  # its home was here; callers may still import it from envelope
_WHITESPACE = re.compile(r"\s+")


def excerpt(body: Any, secrets: Sequence[str] = ()) -> str:
    """A one-line, bounded, credential-free quote of a body for an error message."""
    if isinstance(body, bytes):
        text = body.decode("utf-8", errors="replace")
    else:
        text = str(body)
    text = _one_line(text, secrets)
    return repr(text) if text else "(empty body)"


def _one_line(text: str, secrets: Sequence[str]) -> str:
    """``text`` on one line, quoted (scrubbed and neutralized), then cut to ``EXCERPT_CHARS`` (scrubbed first: no
    part of a secret is left)."""
    text = sanitize(_WHITESPACE.sub(" ", text).strip(), secrets)
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[:EXCERPT_CHARS]
    if text[EXCERPT_CHARS] != " " and " " in cut[EXCERPT_CHARS // 2 :]:  # mid-word: end at the last whole word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "..."


def _describe(value: Any, secrets: Sequence[str]) -> str:
    """``describe_value`` for a value from the answer: scrubbed before it is cut short (repr escapes the rest)."""
    text = sanitize(repr(value), secrets)
    return text if len(text) <= 80 else text[:77] + "..."


def cloudflare_errors(document: Any, secrets: Sequence[str] = ()) -> List[Dict[str, Any]]:
    """The ``errors`` array as ``[{code, message}]``, tolerating any shape; ``secrets`` are scrubbed from messages."""
    if not isinstance(document, dict) or not isinstance(document.get("errors"), list):
        return []
    found = []
    for entry in document["errors"]:
        if isinstance(entry, dict):
            code = entry.get("code")
            found.append(
                {
                    "code": code if isinstance(code, int) and not isinstance(code, bool) else None,
                    "message": sanitize(str(entry.get("message", "")), secrets),
                }
            )
    return found


def _describe_errors(errors: List[Dict[str, Any]], secrets: Sequence[str]) -> str:
    parts = []
    for entry in errors[:5]:
        text = _one_line(entry["message"], secrets)
        parts.append("{} ({})".format(text, entry["code"]) if entry["code"] is not None else text)
    return "; ".join(parts)


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            return parse_retry_after(str(value))
    return None


_HINTS = {
    401: "Check the API token, or account_email and account_api_key.",
    403: "Check that the credentials are valid and have 'Account Filter Lists Read' (or Edit) on this account.",
    404: "Check account_id and operation_id; Cloudflare forgets operations some time after they finish.",
    429: "Cloudflare's rate limit is 1,200 requests per 5 minutes per user; wait and retry, or poll less often.",
}


# The code of the per-user rate limit's 429; any other 429 on a write means the account's one pending operation.
RATE_LIMIT_CODE = 971


def is_rate_limit_answer(body: bytes) -> bool:
    """Whether an error body carries the per-user rate limit's code."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return any(entry["code"] == RATE_LIMIT_CODE for entry in cloudflare_errors(document))


_PENDING_HINT = (
    "Cloudflare runs one bulk operation at a time per account: wait for the pending one to finish, then retry."
)
# A write's 429 for the account's write quota: the emulator's code, or Cloudflare's text naming a quota (its own code
# is not published).
WRITE_QUOTA_CODE = 10012
_QUOTA_WORDS = re.compile(r"\bquota\b", re.IGNORECASE)
_QUOTA_HINT = (
    "Cloudflare allows each account 1,000,000 list item changes and 30,000 item-writing requests per 12 hours "
    "(a PUT counts every item it removes and adds): nothing was written; retry once the quota has room again, "
    "and sync less often or in fewer, larger writes."
)
_AMBIGUOUS_HINT = "The write may have been applied: re-read the list before writing again."

# Cloudflare's routing errors: the URL, not the request, is wrong.
_ROUTING_CODES = frozenset((7000, 7003))


def _hint(status: int, errors: List[Dict[str, Any]]) -> str:
    if any(entry["code"] in _ROUTING_CODES for entry in errors):
        return (
            "Check base_url: it should end with /client/v4, as in https://api.cloudflare.com/client/v4; "
            "and check that account_id and operation_id are the ones Cloudflare gave."
        )
    return _HINTS.get(status, "Cloudflare may be having trouble; retry later." if status >= 500 else "")


def _is_write_quota(errors: List[Dict[str, Any]]) -> bool:
    return any(entry["code"] == WRITE_QUOTA_CODE or _QUOTA_WORDS.search(entry["message"]) for entry in errors)


def _error_for_status(status: int, errors: List[Dict[str, Any]], write: bool) -> Type[ApiError]:
    if write and status == 429 and not any(entry["code"] == RATE_LIMIT_CODE for entry in errors):
        return QuotaExceededError if _is_write_quota(errors) else OperationPendingError
    if write and status >= 500:
        return AmbiguousWriteError
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return TransportError
    return ApiError


class Envelope(NamedTuple):
    """A successful answer: ``result``, and ``result_info`` (pagination cursors) or an empty dict."""

    result: Any
    result_info: Dict[str, Any]


def parse_envelope(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    what: str,
    secrets: Sequence[str] = (),
) -> Any:
    """Return the envelope's ``result``, or raise the error that the answer means (see ``parse_answer``)."""
    return parse_answer(status, headers, body, what=what, secrets=secrets).result


def parse_answer(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    what: str,
    secrets: Sequence[str] = (),
    write: bool = False,
) -> Envelope:
    """Return the envelope, or raise the error that the answer means.

    ``what`` names the request in messages, e.g. "GET bulk operation 4da8...". ``write`` marks a POST, PUT or
    DELETE: its 429 without the rate-limit code is ``QuotaExceededError`` when it names the write quota, else
    ``OperationPendingError``; its 5xx is ``AmbiguousWriteError``.
    """
    if 300 <= status < 400:
        location = next((v for k, v in headers.items() if k.lower() == "location"), "(no Location header)")
        raise EndpointError(
            f"{what}: Cloudflare answered HTTP {status}, a redirect to {_one_line(location, secrets)}. "
            "Redirects are not followed, so credentials never reach another host; check base_url.",
            http_status=status,
        )
    try:
        document: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        document = None
        is_json = False
    else:
        is_json = True
    errors = cloudflare_errors(document, secrets)

    if not 200 <= status < 300:
        kind = _error_for_status(status, errors, write)
        said = _describe_errors(errors, secrets) if errors else "body " + excerpt(body, secrets)
        hint = _hint(status, errors)
        if kind is OperationPendingError:
            hint = _PENDING_HINT
        elif kind is QuotaExceededError:
            hint = _QUOTA_HINT
        elif kind is AmbiguousWriteError:
            hint = _AMBIGUOUS_HINT
        message = "{}: HTTP {}: {}.{}".format(what, status, said.rstrip("."), " " + hint if hint else "")
        extra: Dict[str, Any] = {"http_status": status, "cloudflare_errors": errors}
        if kind in (RateLimitedError, OperationPendingError, QuotaExceededError):
            retry_after = _retry_after(headers)
            if retry_after is not None:
                message += f" Cloudflare asked to wait {round(retry_after, 1):g} s before the next request."
            raise kind(message, retry_after=retry_after, **extra)
        raise kind(message, **extra)

    def malformed(problem: str) -> CloudflareListsError:
        return MalformedResponseError(
            f"{what}: HTTP {status} but {problem}: {excerpt(body, secrets)}. "
            "This is not the documented Cloudflare envelope; check base_url.",
            http_status=status,
            cloudflare_errors=errors,
        )

    if not is_json:
        raise malformed("the body is not JSON")
    if not isinstance(document, dict):
        raise malformed("the body is not a JSON object")
    success = document.get("success")
    if success is False:
        said = _describe_errors(errors, secrets) or "no error detail given"
        raise ApiError(
            "{}: Cloudflare reported failure (success: false): {}.".format(what, said.rstrip(".")),
            http_status=status,
            cloudflare_errors=errors,
        )
    if success is not True:
        raise malformed("'success' is missing or not a boolean")
    if document.get("result") is None:
        raise malformed("'result' is missing or null")
    result_info = document.get("result_info")
    return Envelope(document["result"], result_info if isinstance(result_info, dict) else {})


def parse_bulk_operation(
    result: Any, operation_id: str, *, what: str, secrets: Sequence[str] = ()
) -> BulkOperationFacts:
    """Check a bulk-operation ``result`` against what we asked for, and normalize it.

    Values quoted in an error have ``secrets`` scrubbed: a server that echoes the request must not leak them.
    """

    def malformed(problem: str, kind: Type[MalformedResponseError] = MalformedResponseError) -> CloudflareListsError:
        return kind(f"{what}: {problem}.")

    if not isinstance(result, dict):
        raise malformed(f"the result is not an object but {type(result).__name__}")
    seen_id = result.get("id")
    if seen_id != operation_id:
        raise malformed(
            f"the result is for operation {_describe(seen_id, secrets)}, not the requested {operation_id!r}"
        )
    status = result.get("status")
    if not isinstance(status, str) or status not in KNOWN_STATUSES:
        raise malformed(
            f"unknown operation status {_describe(status, secrets)}; expected pending, running, completed or failed. "
            "Upgrade edgeops-cloudflare-lists if Cloudflare has added a status",
            UnexpectedStatusError,
        )
    completed_at = None
    error = None
    if status in FINISHED_STATUSES:
        raw = result.get("completed")
        if raw is not None:
            completed_at = normalize_timestamp(raw) if isinstance(raw, str) else None
            if completed_at is None:
                raise malformed(f"'completed' is not an RFC 3339 timestamp: {_describe(raw, secrets)}")
    if status == "failed":
        raw_error = result.get("error")
        if raw_error is not None and not isinstance(raw_error, str):
            raise malformed(f"'error' is not a string: {_describe(raw_error, secrets)}")
        # Quoted into messages, task results and Pulumi state: scrubbed and neutralized like all server text.
        error = sanitize(raw_error, secrets) if raw_error is not None else None
    return BulkOperationFacts(id=operation_id, status=status, completed_at=completed_at, error=error)
