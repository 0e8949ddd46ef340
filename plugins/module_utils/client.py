# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side: one ``requests.Session`` per client, retries through urllib3, no redirects."""

from __future__ import annotations

import http.client
import random
import re
import socket
import ssl
import warnings
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Sequence, Set, Tuple, Type
from urllib.parse import quote, urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import DEFAULT_BASE_URL, Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import RateBudget, shared_budget
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.clock import SYSTEM_CLOCK, Clock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import (
    Envelope,
    is_rate_limit_answer,
    parse_answer,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    ResponseTooLargeError,
    TransportError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import sanitize
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_base_url,
    validate_request_timeout,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import USER_AGENT

try:
    import requests
    import urllib3.exceptions
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import DEFAULT_RETRIES, DeadlineRetry
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.transport import (
        AttemptLimit,
        LimitedAdapter,
    )
except ImportError as exc:  # pragma: no cover - exercised by the Ansible import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR: Optional[ImportError] = exc
    DEFAULT_RETRIES = 4
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

DEFAULT_TIMEOUT = 30.0
CONNECT_TIMEOUT_MAX = 10.0
# Without a caller's deadline, retries of one call may take this long in all.
DEFAULT_CALL_BUDGET = 60.0
# A bulk-operation answer is a few hundred bytes; refuse to buffer a runaway body.
MAX_BODY_BYTES = 1024 * 1024
# The largest page Cloudflare serves; 10,000 items are then 20 requests.
MAX_PER_PAGE = 500
# Where a collection's size is unknown, no read goes past the most items an account can hold (Enterprise's cap on
# the items of all its lists).
MAX_ACCOUNT_ITEMS = 500_000
# How far past the size it was said to have a read may go: items that writers add meanwhile.
READ_MARGIN_ITEMS = 1000
READ_MARGIN_SHARE = 0.1


def read_limit(expected: Optional[int]) -> int:
    """The most elements a read of a collection said to hold ``expected`` (None: unknown) may return."""
    size = MAX_ACCOUNT_ITEMS if expected is None else max(0, expected)
    return size + max(READ_MARGIN_ITEMS, int(size * READ_MARGIN_SHARE))


def _causes(exc: BaseException) -> Tuple[BaseException, ...]:
    """``exc`` and the errors it wraps (as ``reason`` or first argument), outermost first, at most 6."""
    found = [exc]
    while len(found) < 6:
        current = found[-1]
        inner = getattr(current, "reason", None)  # urllib3's MaxRetryError and friends; ssl errors' is a str
        if not isinstance(inner, BaseException):
            inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        if inner is None or any(inner is seen for seen in found):
            break
        found.append(inner)
    return tuple(found)


def _caused_by(exc: BaseException, kinds: Tuple[Type[BaseException], ...]) -> Optional[BaseException]:
    return next((cause for cause in _causes(exc) if isinstance(cause, kinds)), None)


def _short_reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, on one line."""
    reason = _causes(exc)[-1]
    text = str(reason) or type(reason).__name__
    return _CONNECTION_PREFIX.sub("", text)


# urllib3 starts some messages with the connection object: "<...HTTPConnection object at 0x7f>: " or
# "HTTPConnection(host='h', port=1): ".
_CONNECTION_PREFIX = re.compile(r"^(?:<[^<>]* object at 0x[0-9a-fA-F]+>|\w+\(host=[^()]*\)): ")


class CloudflareClient:
    """A small client for the Lists API, reusing its connection across calls.

    ``session``, ``clock`` (every deadline, retry pause and wait reads it) and ``rng`` are injectable for tests.
    A client is meant for one thread at a time, like ``requests.Session``.
    """

    def __init__(
        self,
        credentials: Credentials,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        validate_certs: bool = True,
        retries: int = DEFAULT_RETRIES,
        session: Optional[Any] = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: Optional[random.Random] = None,
        budget: Optional[RateBudget] = None,
    ) -> None:
        if not HAS_REQUESTS:
            raise CloudflareListsError(
                f"The Python library 'requests' is required on the host that runs this: {REQUESTS_IMPORT_ERROR}. "
                "Install it with 'pip install requests'."
            )
        self.credentials = credentials
        self.base_url = _requestable(validate_base_url(base_url))
        self.timeout = validate_request_timeout(timeout)
        self.validate_certs = bool(validate_certs)
        if not self.validate_certs:
            _silence_insecure_request_warnings(self.host)
        self.retries = max(0, int(retries))
        self.clock = clock
        self.rng = rng if rng is not None else random.Random()
        if budget is None:
            # On the system's clock, the credential's budget shared by the host; on a simulated one, a private one.
            budget = (
                shared_budget(credentials.secrets(), self.base_url)
                if clock.shared
                else RateBudget(clock=clock, sleep=clock.sleep)
            )
        self.budget = budget
        self._session = session if session is not None else requests.Session()
        self._attempt_limit = AttemptLimit(clock)
        self._adapter = LimitedAdapter(self._attempt_limit, max_retries=self._retry("GET", float("inf")))
        self._session.mount("https://", self._adapter)
        self._session.mount("http://", self._adapter)
        self._auth = _HeaderAuth(credentials)

    def __enter__(self) -> CloudflareClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or self.base_url

    def _retry(self, method: str, deadline: float) -> DeadlineRetry:
        return DeadlineRetry.for_method(
            method,
            retries=self.retries,
            deadline=deadline,
            clock=self.clock,
            sleeper=self.clock.sleep,
            rng=self.rng,
            budget=self.budget,
        )

    def url(self, path: Sequence[str]) -> str:
        """``base_url`` plus each path segment, quoted, so no id can reach another route."""
        return self.base_url + "".join("/" + quote(segment, safe="") for segment in path)

    def get_result(self, path: Sequence[str], *, what: str, deadline: Optional[float] = None) -> Any:
        """GET ``base_url/<quoted path segments>`` and return the envelope's ``result``."""
        return self.request("GET", path, what=what, deadline=deadline).result

    def request(
        self,
        method: str,
        path: Sequence[str],
        *,
        what: str,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        deadline: Optional[float] = None,
    ) -> Envelope:
        """Send one request and return its envelope (``result`` and ``result_info``), or raise a typed error.

        A GET is retried on 429, 5xx and connection errors. A write (POST, PUT, DELETE) is sent again only when the
        connection was refused: a 429 raises ``OperationPendingError`` (another operation holds the account) or
        ``RateLimitedError`` at once, with its ``Retry-After``, and a write that timed out, was cut off or met a 5xx
        raises ``AmbiguousWriteError``: either way, re-read the list and plan again rather than resend it.
        Retries never sleep past ``deadline`` (monotonic seconds; default: 60 s from now).
        """
        if deadline is None:
            deadline = self.clock() + DEFAULT_CALL_BUDGET
        write = method != "GET"
        status, headers, body = self._send(
            method, self.url(path), what=what, deadline=deadline, params=params, json=json
        )
        return parse_answer(status, headers, body, what=what, secrets=self.credentials.secrets(), write=write)

    def paginate(
        self,
        path: Sequence[str],
        *,
        what: str,
        params: Optional[Mapping[str, Any]] = None,
        per_page: int = MAX_PER_PAGE,
        deadline: Optional[float] = None,
        expected: Optional[int] = None,
        recount: Optional[Callable[[], int]] = None,
    ) -> Iterator[Any]:
        """Every element of a paged collection, following ``result_info.cursors.after`` until it is empty.

        Bounded by what the collection says it holds: ``expected`` elements (a list's ``num_items``; None: unknown,
        then at most ``MAX_ACCOUNT_ITEMS``). A read that goes more than a margin past it, or a page without
        ``result_info.cursors`` while fewer than ``expected`` were read, is a ``MalformedResponseError``, never an
        endless read or a silent truncation; ``recount`` (when given) is asked once for a fresh count first, in
        case writers changed the collection meanwhile. A cursor seen twice is an error rather than a loop. A page
        larger than the body the client reads is asked again with half as many elements, and the read goes on at
        that size.
        """
        query: Dict[str, Any] = dict(params or {})
        seen: Set[str] = set()
        page = 1
        read = 0
        limit = read_limit(expected)
        recounted = recount is None

        def count_again() -> None:
            nonlocal expected, limit, recounted
            if not recounted:
                recounted = True
                expected = recount() if recount is not None else expected
                limit = read_limit(expected)

        while True:
            query["per_page"] = per_page
            try:
                envelope = self.request("GET", path, what=f"{what} (page {page})", params=query, deadline=deadline)
            except ResponseTooLargeError:
                if per_page <= 1:
                    raise
                per_page = max(1, per_page // 2)
                continue
            if not isinstance(envelope.result, list):
                raise MalformedResponseError(
                    f"{what} (page {page}): the result is not a list but {type(envelope.result).__name__}."
                )
            read += len(envelope.result)
            if read > limit:
                count_again()
            if read > limit:
                raise MalformedResponseError(
                    f"{what} (page {page}): {read} elements read, well past the {_count(expected)} it holds; "
                    "stopped rather than read without end. Retry later."
                )
            yield from envelope.result
            cursors = envelope.result_info.get("cursors")
            if not isinstance(cursors, dict):
                if expected is not None and read < expected:
                    count_again()
                if expected is not None and read < expected:
                    raise MalformedResponseError(
                        f"{what} (page {page}): the page has no result_info cursors, but only {read} of the "
                        f"{expected} elements it holds were read; stopped rather than return part of it. Retry later."
                    )
                return
            after = cursors.get("after")
            if not after or not isinstance(after, str):
                return
            if after in seen:
                raise MalformedResponseError(
                    f"{what} (page {page}): Cloudflare returned a cursor it had already given; stopped paging "
                    "rather than loop. Retry later."
                )
            seen.add(after)
            query["cursor"] = after
            page += 1

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        deadline: float,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
    ) -> Tuple[int, Mapping[str, str], bytes]:
        """One request, read in full: ``(status, headers, body)``, or a typed error naming ``what`` was sent.

        Every attempt (urllib3 retries as ``DeadlineRetry`` allows) has a wall-clock limit covering connect,
        TLS, headers and body: ``min(timeout, time left before deadline)``, never under ``ATTEMPT_FLOOR``. So one
        call ends by ``max(deadline, now + ATTEMPT_FLOOR)``, or within ``timeout`` of its last attempt's start.
        """
        self.budget.acquire(deadline, deadline_clock=self.clock)
        limit = self._attempt_limit.start(self.timeout, deadline)
        self._adapter.max_retries = self._retry(method, deadline)
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                json=json,
                auth=self._auth,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                # Per socket operation; the attempt limit bounds the whole exchange.
                timeout=(min(CONNECT_TIMEOUT_MAX, limit), limit),
                verify=self.validate_certs,
                allow_redirects=False,
                stream=True,
            )
            try:
                body = _read_limited(response)
            except MalformedResponseError as exc:
                if method == "GET":
                    raise
                # A write's answer that is not the API's: it may still have been applied.
                raise AmbiguousWriteError(f"{what}: {exc} The write may have been applied; re-read the list.") from None
            finally:
                response.close()
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException) as exc:
            raise self._request_error(exc, what, write=method != "GET") from None
        finally:
            self._attempt_limit.stop()
        rate_limited = method == "GET" or (response.status_code == 429 and is_rate_limit_answer(body))
        self.budget.observe(response.status_code, response.headers, rate_limited=rate_limited)
        return response.status_code, response.headers, body

    def _request_error(self, exc: BaseException, what: str, *, write: bool = False) -> CloudflareListsError:
        """The typed error for a request that got no complete answer.

        A write that may have reached the server is ``AmbiguousWriteError``, whatever cut it short.
        """
        reason = sanitize(_short_reason(exc), self.credentials.secrets())
        if _caused_by(exc, (requests.exceptions.InvalidProxyURL, requests.exceptions.ProxyError)):
            return TransportError(
                f"{what}: could not reach {self.host} through the proxy: {reason}. "
                "Check HTTPS_PROXY, ALL_PROXY and NO_PROXY."
            )
        if _caused_by(exc, _URL_ERRORS):
            return ValidationError(
                "base_url", f"it cannot be requested: {reason}. Expected a URL such as {DEFAULT_BASE_URL}."
            )
        tls = _caused_by(exc, (ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError))
        if write and not tls and not _caused_by(exc, _NOT_SENT):
            return AmbiguousWriteError(
                f"{what}: no complete answer from {self.host} ({reason}); the write may or may not have been "
                "applied. Re-read the list before writing again."
            )
        limit = self._attempt_limit.limit
        limit = round(limit, 1) if limit >= 1 else round(limit, 2)  # 1.99 (a few ms after the wait began) says 2
        if self._attempt_limit.expired or _timed_out(exc):
            cut = ", the time left before the deadline" if limit < self.timeout else ""
            detail = f"cut off at {limit:g} s{cut}" if self._attempt_limit.expired else reason
            return TransportError(
                f"{what}: {self.host} did not answer within {limit:g} s ({detail}). "
                f"Check connectivity, or raise the {'wait_timeout' if cut else 'request_timeout'}."
            )
        if _caused_by(exc, (ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError)):
            return self._tls_error(exc, what, reason)
        return TransportError(
            f"{what}: could not get an answer from {self.host}: {reason}. Check base_url and connectivity."
        )

    def _tls_error(self, exc: BaseException, what: str, reason: str) -> EndpointError:
        unverified = _caused_by(exc, (ssl.SSLCertVerificationError, ssl.CertificateError))
        if unverified is None and "certificate verify failed" not in reason.lower():
            return EndpointError(
                f"{what}: the TLS handshake with {self.host} failed: {reason}. "
                "Check that base_url names an https endpoint."
            )
        problem = getattr(unverified, "verify_message", None) or reason
        return EndpointError(
            f"{what}: the TLS certificate of {self.host} could not be verified: "
            f"{sanitize(str(problem), self.credentials.secrets()).rstrip('.')}. Fix the endpoint's certificate "
            "(or point REQUESTS_CA_BUNDLE at the CA that signed it), or, for a test endpoint only, turn "
            "verification off (validate_certs)."
        )


if HAS_REQUESTS:
    # A base URL requests cannot use (validation.py should have refused it first).
    _URL_ERRORS: Tuple[Type[BaseException], ...] = (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.URLRequired,
        urllib3.exceptions.LocationValueError,
        http.client.InvalidURL,
    )
    # Failures before the request left this host: nothing can have been applied.
    _NOT_SENT: Tuple[Type[BaseException], ...] = (
        urllib3.exceptions.NewConnectionError,
        urllib3.exceptions.ConnectTimeoutError,
        requests.exceptions.ConnectTimeout,
    )


def _timed_out(exc: BaseException) -> bool:
    # urllib3's NewConnectionError (refused, unreachable, unresolvable) subclasses its ConnectTimeoutError.
    return any(
        isinstance(cause, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, socket.timeout))
        and not isinstance(cause, urllib3.exceptions.NewConnectionError)
        for cause in _causes(exc)
    )


def _silence_insecure_request_warnings(host: str) -> None:
    """urllib3 warns on every unverified request; turning verification off was asked for, and the adapters say
    it once (the command on stderr). Only urllib3's warning for this host is silenced."""
    warnings.filterwarnings(
        "ignore",
        message=f"Unverified HTTPS request is being made to host '{re.escape(host)}'",
        category=urllib3.exceptions.InsecureRequestWarning,
    )


def _requestable(base_url: str) -> str:
    """``base_url`` if requests can build a request on it; validation.py should refuse anything it cannot."""
    try:
        requests.Request("GET", base_url + "/accounts").prepare()
    except (requests.exceptions.RequestException, ValueError) as exc:
        raise ValidationError(
            "base_url", f"it cannot be requested: {sanitize(str(exc), ())}. Expected a URL such as {DEFAULT_BASE_URL}."
        ) from None
    return base_url


def _count(expected: Optional[int]) -> str:
    return f"{expected} elements" if expected is not None else f"{MAX_ACCOUNT_ITEMS} elements an account can hold"


def _read_limited(response: Any) -> bytes:
    chunks = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ResponseTooLargeError(
                f"the answer from {urlsplit(response.url).hostname} is larger than {MAX_BODY_BYTES} bytes; "
                "this is not the Cloudflare API."
            )
        chunks.append(chunk)
    return b"".join(chunks)


if HAS_REQUESTS:

    class _HeaderAuth(requests.auth.AuthBase):
        """Adds the credential headers per request.

        Passing them as ``auth`` keeps them off the session's headers, and stops requests from
        replacing them with a ~/.netrc entry.
        """

        def __init__(self, credentials: Credentials) -> None:
            self._credentials = credentials

        def __call__(self, request: Any) -> Any:
            request.headers.update(self._credentials.headers())
            return request

        def __repr__(self) -> str:
            return f"<credentials {self._credentials.scheme}>"

else:  # pragma: no cover
    _HeaderAuth = None  # type: ignore[assignment,misc]
