# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side: one ``requests.Session`` per client, retries through urllib3, no redirects."""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Optional, Sequence
from urllib.parse import quote, urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import DEFAULT_BASE_URL, Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import (
    parse_bulk_operation,
    parse_envelope,
    scrub,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
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
    """A small client for the one call we need, reusing its connection across checks.

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
        self._adapter = HTTPAdapter(max_retries=self._retry(float("inf")))
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

    def _retry(self, deadline: float) -> DeadlineRetry:
        return DeadlineRetry.for_get(
            retries=self.retries, deadline=deadline, clock=self.clock, sleeper=self.sleep, rng=self.rng
        )

    def get_result(self, path: Sequence[str], *, what: str, deadline: Optional[float] = None) -> Any:
        """GET ``base_url/<quoted path segments>`` and return the envelope's ``result``."""
        if deadline is None:
            deadline = self.clock() + DEFAULT_CALL_BUDGET
        url = self.base_url + "".join("/" + quote(segment, safe="") for segment in path)
        # The deadline bounds retries and sleeps, not the request in flight: a check started before the deadline
        # gets its whole timeout, so "check once" (wait_timeout 0) is not starved.
        read_timeout = self.timeout
        self._adapter.max_retries = self._retry(deadline)
        secrets = self.credentials.secrets()
        try:
            response = self._session.get(
                url,
                auth=self._auth,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
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
        except requests.exceptions.Timeout as exc:
            reason = scrub(_short_reason(exc), secrets)
            raise TransportError(
                f"{what}: {self.host} did not answer within {read_timeout:g} s ({reason}). "
                "Check connectivity, or raise the timeout."
            ) from None
        except requests.exceptions.RequestException as exc:
            reason = scrub(_short_reason(exc), secrets)
            raise TransportError(
                f"{what}: could not get an answer from {self.host}: {reason}. Check base_url and connectivity."
            ) from None
        return parse_envelope(response.status_code, response.headers, body, what=what, secrets=secrets)

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
