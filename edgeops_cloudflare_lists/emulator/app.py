"""The WSGI application: routing, envelopes, auth, rate limiting, fault injection and counters.

Each request goes through the same steps, in this order (the edge before the API, routing before auth):

1. fault injection (the edge fails before the API sees the request, so a faulted write never applies);
2. the body: larger than ``max_body_bytes`` is 413, unreadable is 400;
3. routing: an unknown path or method is 400 code 7000 "No route for that URI";
4. the account id: not 32 hex is 400 with 7003 "Could not route to ..., perhaps your object identifier is
   invalid?" followed by 7000, as the API answers;
5. authentication: no credentials is 400 code 9106; a malformed Authorization header is 400 code 6003 (with
   6111 in ``error_chain``); a wrong token or key is 403 code 10000 "Authentication error";
6. the rate limit, per credential, counted only for authenticated requests: a sliding window of
   ``rate_limit`` requests per ``rate_window_seconds``; past it 429 code 971 with ``Retry-After`` (whole seconds
   until the oldest counted request leaves the window). Every response from here on carries the IETF draft's
   ``Ratelimit: "default";r=<remaining>;t=<seconds until the oldest counted request leaves the window>`` and
   ``Ratelimit-Policy: "default";q=<rate_limit>;w=<window seconds, rounded up>``;
7. the operation itself.

No input gets a 500: a request the emulator can't make sense of is a 400 (or 413), and anything unexpected is
counted in ``internal_errors`` (a bug) and answered with a JSON 500. ``GET /_emulator/stats`` (outside the API:
no auth, no faults, not counted) reports the counters: requests, responses by status, 429s by kind, and the item
writes accepted per account (what each carried and what it counted against the write quotas).
"""

from __future__ import annotations

import hmac
import json
import math
import random
import re
import socket
import sys
import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Tuple

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import errors
from .config import ACCOUNT_ID_PATTERN, EmulatorConfig
from .state import ListsState

API_PREFIX = "/client/v4"
STATS_PATH = "/_emulator/stats"
_ACCOUNT = API_PREFIX + "/accounts/<account_id>/rules/lists"

#: Werkzeug endpoints are the reference's operationIds, so tests can check coverage against the spec.
ROUTES: Tuple[Tuple[str, str, str], ...] = (
    (_ACCOUNT, "GET", "lists-get-lists"),
    (_ACCOUNT, "POST", "lists-create-a-list"),
    (_ACCOUNT + "/bulk_operations/<operation_id>", "GET", "lists-get-bulk-operation-status"),
    (_ACCOUNT + "/<list_id>", "GET", "lists-get-a-list"),
    (_ACCOUNT + "/<list_id>", "PUT", "lists-update-a-list"),
    (_ACCOUNT + "/<list_id>", "DELETE", "lists-delete-a-list"),
    (_ACCOUNT + "/<list_id>/items", "GET", "lists-get-list-items"),
    (_ACCOUNT + "/<list_id>/items", "POST", "lists-create-list-items"),
    (_ACCOUNT + "/<list_id>/items", "PUT", "lists-update-all-list-items"),
    (_ACCOUNT + "/<list_id>/items", "DELETE", "lists-delete-list-items"),
    (_ACCOUNT + "/<list_id>/items/<item_id>", "GET", "lists-get-a-list-item"),
)

# Built once: compiling werkzeug rules is the slowest part of starting an emulator, and matching is thread-safe.
_URL_MAP = Map([Rule(path, methods=[method], endpoint=name) for path, method, name in ROUTES])

_BEARER = re.compile(r"^Bearer +(\S+)$", re.IGNORECASE)

#: JSON nested deeper than this is refused (a list item needs 3 levels).
MAX_JSON_DEPTH = 32

#: The kinds of 429 the emulator answers, as counted in ``throttled``.
THROTTLE_KINDS: Tuple[str, ...] = ("rate_limit", "operation_pending", "write_quota", "fault")
_THROTTLE_KIND_BY_CODE = {
    errors.LISTS_OPERATION_PENDING: "operation_pending",
    errors.LISTS_WRITE_QUOTA_EXCEEDED: "write_quota",
}

# Cloudflare's edge answers 5xx with an HTML page, not the API's JSON envelope.
_HTML_PAGES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


def html_error_page(status: int) -> str:
    title = _HTML_PAGES[status]
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
    )


@dataclass(frozen=True)
class Admission:
    """The rate limiter's answer for one request."""

    allowed: bool
    #: Requests still allowed in the window after this one.
    remaining: int
    #: Whole seconds until the oldest counted request leaves the window, so one more unit of quota comes back
    #: (Retry-After when refused).
    reset: int


class SlidingWindowLimiter:
    """At most ``limit`` accepted requests per key in any ``window`` seconds; refused requests do not count."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._accepted: Dict[str, Deque[float]] = {}

    def admit(self, key: str) -> Admission:
        with self._lock:
            now = self._clock()
            times = self._accepted.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            # Bounded by the window: float rounding must not make t exceed the policy's w.
            reset = min(math.ceil(self.window), max(1, math.ceil(times[0] + self.window - now)))
            return Admission(allowed, self.limit - len(times), reset)


class FaultInjector:
    """Draws the same two numbers for every request, so one seed gives one sequence of faults."""

    def __init__(self, rate: float, kinds: Tuple[str, ...], seed: Optional[int]) -> None:
        self._rate = rate
        self._kinds = kinds
        self._random = random.Random(seed)  # reproducible test faults, not security
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def counts(self) -> Dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def configure(self, rate: float, kinds: Tuple[str, ...]) -> None:
        """Change rate and kinds from now on; the random sequence carries on, so a seed stays reproducible."""
        with self._lock:
            self._rate, self._kinds = rate, kinds

    def draw(self) -> Optional[str]:
        with self._lock:
            roll, pick = self._random.random(), self._random.random()
            if not self._kinds or roll >= self._rate:
                return None
            kind = self._kinds[int(pick * len(self._kinds))]
            self._counts[kind] += 1
            return kind


class _Counters:
    """Requests received, responses by status, 429s by kind, internal errors; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._responses: Counter[str] = Counter()
        self._throttled: Counter[str] = Counter({kind: 0 for kind in THROTTLE_KINDS})
        self._internal_errors = 0

    def request(self) -> None:
        with self._lock:
            self._requests += 1

    def response(self, status: str) -> None:
        with self._lock:
            self._responses[status] += 1

    def throttled(self, kind: str) -> None:
        with self._lock:
            self._throttled[kind] += 1

    def internal_error(self) -> None:
        with self._lock:
            self._internal_errors += 1

    def snapshot(self) -> Dict[str, Any]:
        with self._lock:
            return {
                "requests": self._requests,
                "responses": dict(sorted(self._responses.items())),
                "throttled": dict(self._throttled),
                "internal_errors": self._internal_errors,
            }


class EmulatorApp:
    """WSGI callable serving the 11 Rules Lists operations from a :class:`ListsState`."""

    def __init__(
        self,
        config: EmulatorConfig,
        state: ListsState,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        log: Optional[Callable[[str], None]] = None,
    ) -> None:
        self._config = config
        self._state = state
        self._sleep = sleep
        self._log = log
        self._limiter = SlidingWindowLimiter(config.rate_limit, config.rate_window_seconds, clock)
        self._faults = FaultInjector(config.fault_rate, config.fault_kinds, config.seed)
        self._counters = _Counters()
        self._policy = f'"default";q={config.rate_limit};w={math.ceil(config.rate_window_seconds)}'

    @property
    def request_count(self) -> int:
        """Every API request received, faulted ones included."""
        return int(self._counters.snapshot()["requests"])

    @property
    def fault_counts(self) -> Dict[str, int]:
        return self._faults.counts()

    def stats(self) -> Dict[str, Any]:
        """Requests received, responses by status ("dropped" for a dropped connection), 429s by kind
        (``rate_limit``: code 971; ``operation_pending``: a write while the account has a pending bulk operation;
        ``write_quota``: a write past the account's write quota; ``fault``: injected), faults injected by kind,
        internal errors (bugs: always 0), and ``writes``: per account, the item writes accepted (``requests``,
        ``items`` carried, ``item_changes`` as the quota counts them, the same ``by_method``) and the quotas' use."""
        snapshot = self._counters.snapshot()
        snapshot["faults"] = self._faults.counts()
        snapshot["internal_errors"] += self._state.internal_errors
        snapshot["writes"] = self._state.write_stats()
        return snapshot

    def configure_faults(self, rate: float, kinds: Tuple[str, ...]) -> None:
        self._faults.configure(rate, kinds)

    def __call__(self, environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == STATS_PATH and request.method == "GET":
            response = Response(json.dumps(self.stats()), mimetype="application/json")
        else:
            self._counters.request()
            response = self._respond(request)
            self._counters.response(str(response.status_code))
            if self._log is not None:
                self._log(f"{_request_line(request)} {response.status_code}")
        result: Iterable[bytes] = response(environ, start_response)
        return result

    # -------------------------------------------------------------------------------------- pipeline
    def _respond(self, request: Request) -> Response:
        fault = self._faults.draw()
        if fault == "drop":
            self._drop(request)
        if fault == "slow":
            self._sleep(self._config.slow_seconds)
        elif fault in ("html_502", "html_503"):
            status = 502 if fault == "html_502" else 503
            return Response(html_error_page(status), status=status, mimetype="text/html")
        elif fault == "rate_limited":
            self._counters.throttled("fault")
            return _throttled(retry_after=1)
        try:
            _read_body(request, self._config.max_body_bytes)
            return self._route(request)
        except errors.ApiError as exc:
            return _failure(exc)
        except Exception as exc:  # the last resort: a bug answers JSON, and is counted
            self._counters.internal_error()
            if self._log is not None:
                self._log(f"{_request_line(request)} internal error: {type(exc).__name__}")
            internal = [{"code": errors.LISTS_INTERNAL_ERROR, "message": "Internal error"}]
            return _envelope(500, success=False, errors_=internal)

    def _route(self, request: Request) -> Response:
        adapter = _URL_MAP.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException:
            # Unknown paths and unsupported methods alike: Cloudflare has no 405 for these.
            raise errors.ApiError(400, errors.NO_ROUTE, "No route for that URI") from None
        if not ACCOUNT_ID_PATTERN.match(args["account_id"]):
            raise errors.ApiError(
                400,
                errors.COULD_NOT_ROUTE,
                f"Could not route to {request.path}, perhaps your object identifier is invalid?",
                more=[{"code": errors.NO_ROUTE, "message": "No route for that URI"}],
            )
        credential = self._authenticate(request)
        admission = self._limiter.admit(credential)
        if not admission.allowed:
            self._counters.throttled("rate_limit")
            response = _throttled(admission.reset)
        else:
            handler: Callable[..., Response] = getattr(self, "_op_" + str(endpoint).replace("-", "_"))
            try:
                response = handler(request, **args)
            except errors.ApiError as exc:
                if exc.code in _THROTTLE_KIND_BY_CODE:
                    self._counters.throttled(_THROTTLE_KIND_BY_CODE[exc.code])
                response = _failure(exc)
        response.headers["Ratelimit"] = f'"default";r={admission.remaining};t={admission.reset}'
        response.headers["Ratelimit-Policy"] = self._policy
        return response

    def _authenticate(self, request: Request) -> str:
        """The credential's rate-limit key, or ApiError. Both schemes work when both are configured."""
        config = self._config
        authorization = request.headers.get("Authorization")
        if authorization is not None:
            match = _BEARER.match(authorization.strip())
            if match is None:
                raise errors.ApiError(
                    400,
                    errors.INVALID_REQUEST_HEADERS,
                    "Invalid request headers",
                    chain=[
                        {
                            "code": errors.INVALID_AUTHORIZATION_FORMAT,
                            "message": "Invalid format for Authorization header",
                        }
                    ],
                )
            if config.token is not None and _same_secret(match.group(1), config.token):
                return "token"
            raise _authentication_error()
        email, key = request.headers.get("X-Auth-Email"), request.headers.get("X-Auth-Key")
        if not email or not key:
            raise errors.ApiError(
                400, errors.MISSING_AUTH_HEADERS, "Missing X-Auth-Key, X-Auth-Email or Authorization headers"
            )
        if (
            config.email is not None
            and config.api_key is not None
            and _same_secret(email.lower(), config.email.lower())
            and _same_secret(key, config.api_key)
        ):
            return "email:" + email.lower()
        raise _authentication_error()

    def _drop(self, request: Request) -> None:
        """Close the connection without any HTTP response; werkzeug treats the error as a dropped client."""
        try:  # read the body first, so the client sees a clean close rather than a reset
            _read_body(request, self._config.max_body_bytes)
        except errors.ApiError:
            pass
        connection = request.environ.get("werkzeug.socket")
        if connection is not None:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._counters.response("dropped")
        if self._log is not None:
            self._log(f"{_request_line(request)} dropped")
        raise ConnectionAbortedError("fault injection: connection dropped")

    # ------------------------------------------------------------------------------------ operations
    def _op_lists_get_lists(self, request: Request, account_id: str) -> Response:
        return _ok(self._state.list_lists(account_id))

    def _op_lists_create_a_list(self, request: Request, account_id: str) -> Response:
        return _ok(self._state.create_list(account_id, _json_body(request)))

    def _op_lists_get_a_list(self, request: Request, account_id: str, list_id: str) -> Response:
        return _ok(self._state.get_list(account_id, list_id))

    def _op_lists_update_a_list(self, request: Request, account_id: str, list_id: str) -> Response:
        return _ok(self._state.update_list(account_id, list_id, _json_body(request)))

    def _op_lists_delete_a_list(self, request: Request, account_id: str, list_id: str) -> Response:
        # The reference asks for a JSON body ({}); the service also takes none, so the body is ignored.
        return _ok(self._state.delete_list(account_id, list_id))

    def _op_lists_get_list_items(self, request: Request, account_id: str, list_id: str) -> Response:
        args = request.args
        items, cursors = self._state.get_items(
            account_id, list_id, args.get("cursor"), args.get("per_page"), args.get("search")
        )
        return _ok(items, result_info={"cursors": cursors})

    def _op_lists_create_list_items(self, request: Request, account_id: str, list_id: str) -> Response:
        return self._write(account_id, list_id, "append", _items_body(request))

    def _op_lists_update_all_list_items(self, request: Request, account_id: str, list_id: str) -> Response:
        return self._write(account_id, list_id, "replace", _items_body(request))

    def _op_lists_delete_list_items(self, request: Request, account_id: str, list_id: str) -> Response:
        body = _json_body(request)
        entries = body.get("items") if isinstance(body, dict) else None
        if (
            not isinstance(entries, list)
            or not entries
            or not all(isinstance(entry, dict) and isinstance(entry.get("id"), str) for entry in entries)
        ):
            raise errors.invalid_request('Malformed request body: expected {"items": [{"id": "..."}, ...]}')
        return self._write(account_id, list_id, "delete", [entry["id"] for entry in entries])

    def _op_lists_get_a_list_item(self, request: Request, account_id: str, list_id: str, item_id: str) -> Response:
        return _ok(self._state.get_item(account_id, list_id, item_id))

    def _op_lists_get_bulk_operation_status(self, request: Request, account_id: str, operation_id: str) -> Response:
        return _ok(self._state.get_operation(account_id, operation_id))

    def _write(self, account_id: str, list_id: str, action: str, payload: List[Any]) -> Response:
        return _ok({"operation_id": self._state.submit_write(account_id, list_id, action, payload)})


def _read_body(request: Request, limit: int) -> None:
    """Read the whole body into the environ: 413 past ``limit`` bytes (by Content-Length before reading anything,
    or while reading a chunked body), 400 if it can't be read. Werkzeug's own limit silently cuts a chunked body."""
    too_large = errors.ApiError(
        413,
        errors.LISTS_BODY_TOO_LARGE,
        f"Request body too large: at most {limit} bytes",
        headers={"Connection": "close"},
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    try:
        body = request.stream.read(limit + 1)
    except (HTTPException, OSError, ValueError):
        raise errors.invalid_request("The request body could not be read") from None
    if len(body) > limit:
        raise too_large
    request.environ[_BODY_KEY] = body


_BODY_KEY = "edgeops.emulator.body"


def _json_body(request: Request) -> Any:
    raw: bytes = request.environ.get(_BODY_KEY, b"")  # read by the pipeline, within the limit
    if not raw.strip():
        return None
    try:
        document = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise errors.invalid_request("Malformed JSON in request body") from None
    if _depth_exceeds(document, MAX_JSON_DEPTH):
        raise errors.invalid_request(f"Malformed request body: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return document


def _refuse_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity are not JSON, though Python's parser takes them."""
    raise ValueError(f"{name} is not JSON")


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Without recursion, so no nesting can exhaust the stack."""
    stack: List[Tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _items_body(request: Request) -> List[Any]:
    body = _json_body(request)
    if not isinstance(body, list):
        raise errors.invalid_request("Malformed request body: expected a JSON array of list items")
    return body


def _request_line(request: Request) -> str:
    """``ADDR METHOD PATH`` for the log, as sent (still percent-encoded) and with anything unprintable escaped, so
    a ``%0a`` or a raw control character in the path can't start a forged log line or drive the terminal."""
    target = request.environ.get("REQUEST_URI") or request.full_path.rstrip("?")
    return " ".join(_printable(str(part)) for part in (request.remote_addr, request.method, target))


def _printable(text: str) -> str:
    return "".join(char if " " < char < "\x7f" else f"\\x{ord(char):02x}" for char in text)


def _same_secret(given: str, expected: str) -> bool:
    # Constant-time, and on bytes: compare_digest refuses non-ASCII str, which a client can send in a header.
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def _authentication_error() -> errors.ApiError:
    return errors.ApiError(403, errors.AUTHENTICATION_ERROR, "Authentication error")


def _throttled(retry_after: int) -> Response:
    return _envelope(
        429,
        success=False,
        errors_=[{"code": errors.THROTTLED, "message": errors.THROTTLED_MESSAGE}],
        headers={"Retry-After": str(retry_after)},
    )


def _failure(exc: errors.ApiError) -> Response:
    return _envelope(exc.status, success=False, errors_=exc.errors(), headers=exc.headers)


def _ok(result: Any, **extra: Any) -> Response:
    return _envelope(200, success=True, result=result, **extra)


def _envelope(
    status: int,
    *,
    success: bool,
    result: Any = None,
    errors_: Optional[List[Dict[str, Any]]] = None,
    headers: Optional[Dict[str, str]] = None,
    **extra: Any,
) -> Response:
    body = {"success": success, "errors": errors_ or [], "messages": [], "result": result, **extra}
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
