# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side: one ``requests.Session`` per client, retries through urllib3, no redirects."""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Sequence, Set
from urllib.parse import quote, urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import DEFAULT_BASE_URL, Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import (
    Envelope,
    parse_answer,
    parse_bulk_operation,
    scrub,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    TransportError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_base_url,
    validate_ids,
    validate_positive_number,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import USER_AGENT

try:
    import requests
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import DEFAULT_RETRIES, DeadlineRetry
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
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


def _short_reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, on one line."""
    reason: Any = exc
    for _depth in range(5):
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    text = str(reason) or type(reason).__name__
    return text.split(": ", 1)[-1] if "object at 0x" in text else text


class CloudflareClient:
    """A small client for the Lists API, reusing its connection across calls.

    ``session``, ``clock``, ``sleep`` and ``rng`` are injectable for tests; ``clock`` is monotonic
    seconds. A client is meant for one thread at a time, like ``requests.Session``.
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
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Optional[random.Random] = None,
    ) -> None:
        if not HAS_REQUESTS:
            raise CloudflareListsError(
                f"The Python library 'requests' is required on the host that runs this: {REQUESTS_IMPORT_ERROR}. "
                "Install it with 'pip install requests'."
            )
        self.credentials = credentials
        self.base_url = validate_base_url(base_url)
        self.timeout = validate_positive_number("timeout", timeout)
        self.validate_certs = bool(validate_certs)
        self.retries = max(0, int(retries))
        self.clock = clock
        self.sleep = sleep
        self.rng = rng if rng is not None else random.Random()
        self._session = session if session is not None else requests.Session()
        self._adapter = HTTPAdapter(max_retries=self._retry("GET", float("inf")))
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
            method, retries=self.retries, deadline=deadline, clock=self.clock, sleeper=self.sleep, rng=self.rng
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

        A GET is retried on 429, 5xx and connection errors. A write (POST, PUT, DELETE) is retried only when it
        surely was not applied: the connection was refused, or a 429 (its ``Retry-After`` honoured). A write that
        timed out, was cut off or met a 5xx raises ``AmbiguousWriteError``: re-read before writing again.
        Retries never sleep past ``deadline`` (monotonic seconds; default: 60 s from now).
        """
        if deadline is None:
            deadline = self.clock() + DEFAULT_CALL_BUDGET
        write = method != "GET"
        # The deadline bounds retries and sleeps, not the request in flight: a check started before the deadline
        # gets its whole timeout, so "check once" (wait_timeout 0) is not starved.
        read_timeout = self.timeout
        self._adapter.max_retries = self._retry(method, deadline)
        secrets = self.credentials.secrets()
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        try:
            response = self._session.request(
                method,
                self.url(path),
                params=params,
                json=json,
                auth=self._auth,
                headers=headers,
                timeout=(min(CONNECT_TIMEOUT_MAX, read_timeout), read_timeout),
                verify=self.validate_certs,
                allow_redirects=False,
                stream=True,
            )
            try:
                body = _read_limited(response)
            finally:
                response.close()
        except requests.exceptions.SSLError as exc:
            reason = scrub(_short_reason(exc), secrets)
            raise EndpointError(
                f"{what}: TLS verification of {self.host} failed: {reason}. "
                "Fix the certificate chain, or set validate_certs to false for a test endpoint."
            ) from None
        except requests.exceptions.RequestException as exc:
            reason = scrub(_short_reason(exc), secrets)
            if write and not _surely_not_sent(exc):
                raise AmbiguousWriteError(
                    f"{what}: no answer from {self.host} ({reason}); the write may or may not have been applied. "
                    "Re-read the list before writing again."
                ) from None
            if isinstance(exc, requests.exceptions.Timeout):
                raise TransportError(
                    f"{what}: {self.host} did not answer within {read_timeout:g} s ({reason}). "
                    "Check connectivity, or raise the timeout."
                ) from None
            raise TransportError(
                f"{what}: could not get an answer from {self.host}: {reason}. Check base_url and connectivity."
            ) from None
        return parse_answer(response.status_code, response.headers, body, what=what, secrets=secrets, write=write)

    def paginate(
        self,
        path: Sequence[str],
        *,
        what: str,
        params: Optional[Mapping[str, Any]] = None,
        per_page: int = MAX_PER_PAGE,
        deadline: Optional[float] = None,
    ) -> Iterator[Any]:
        """Every element of a paged collection, following ``result_info.cursors.after`` until it is empty.

        A cursor seen twice is an error rather than a loop.
        """
        query: Dict[str, Any] = dict(params or {})
        query["per_page"] = per_page
        seen: Set[str] = set()
        page = 1
        while True:
            envelope = self.request("GET", path, what=f"{what} (page {page})", params=query, deadline=deadline)
            if not isinstance(envelope.result, list):
                raise MalformedResponseError(
                    f"{what} (page {page}): the result is not a list but {type(envelope.result).__name__}."
                )
            yield from envelope.result
            cursors = envelope.result_info.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) else None
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

    def get_bulk_operation(
        self, account_id: str, operation_id: str, *, deadline: Optional[float] = None
    ) -> BulkOperationFacts:
        """One status check. Validates both ids before anything is sent."""
        account_id, operation_id = validate_ids(account_id, operation_id)
        what = f"GET bulk operation {operation_id}"
        result = self.get_result(
            ("accounts", account_id, "rules", "lists", "bulk_operations", operation_id), what=what, deadline=deadline
        )
        return parse_bulk_operation(result, operation_id, what=what, secrets=self.credentials.secrets())


def _surely_not_sent(exc: BaseException) -> bool:
    """Whether a failed request never reached the server: refused, or no connection within the connect timeout."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason: Any = exc
    for _depth in range(6):
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
            return True
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            return False
        reason = inner
    return False


def _read_limited(response: Any) -> bytes:
    chunks = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise MalformedResponseError(
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
