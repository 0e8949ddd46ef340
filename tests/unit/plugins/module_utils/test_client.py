"""client: the one GET, over `responses` (which honours the adapter's Retry.increment but never sleeps)."""

from __future__ import annotations

import json
import random
import re
import ssl

import pytest
import requests
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import client as client_module
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import get_bulk_operation
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import (
    CONNECT_TIMEOUT_MAX,
    DEFAULT_CALL_BUDGET,
    DEFAULT_TIMEOUT,
    MAX_BODY_BYTES,
    CloudflareClient,
    _short_reason,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import DeadlineRetry
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.transport import ATTEMPT_FLOOR
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import USER_AGENT, VERSION
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope, operation, operation_bytes
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_servers import (
    HostileServer,
    answer,
    http_response,
    make_certificate,
    server_tls_context,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import (
    ACCOUNT_ID,
    API_KEY,
    BASE_URL,
    EMAIL,
    OPERATION_ID,
    OPERATION_URL,
    TOKEN,
)
from urllib3.exceptions import MaxRetryError, NewConnectionError

PENDING_ANSWER = http_response(operation_bytes("pending"))


def add(api, status=200, body=None, headers=None, url=OPERATION_URL):
    if body is None:
        body = envelope(operation("pending"))
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    api.add(responses.GET, url, body=body, status=status, headers=headers or {})


# --- the request ----------------------------------------------------------------------------------


def test_get_bulk_operation_returns_normalized_facts(api, client):
    add(api, body=envelope(operation("completed", completed="2024-05-01T12:00:00+02:00")))
    facts = get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert facts == BulkOperationFacts(id=OPERATION_ID, status="completed", completed_at="2024-05-01T10:00:00Z")
    assert len(api.calls) == 1
    assert api.calls[0].request.method == "GET"
    assert api.calls[0].request.url == OPERATION_URL


def test_url_path_segments_are_each_quoted(api, client):
    api.add(responses.GET, re.compile(r".*"), json=envelope({"ok": True}))
    assert client.get_result(["accounts", "a b", "x/y", "%2f", "é?#", "a;b"], what="GET test") == {"ok": True}
    assert api.calls[0].request.path_url == "/client/v4/accounts/a%20b/x%2Fy/%252f/%C3%A9%3F%23/a%3Bb"


def test_user_agent_names_the_product_and_its_version(api, client):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert USER_AGENT == f"edgeops-cloudflare-lists/{VERSION}"
    assert api.calls[0].request.headers["User-Agent"] == USER_AGENT


def test_accept_header_asks_for_json(api, client):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert api.calls[0].request.headers["Accept"] == "application/json"


def test_token_goes_in_a_bearer_authorization_header(api, client):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    headers = api.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert "X-Auth-Key" not in headers
    assert "X-Auth-Email" not in headers


def test_email_and_key_go_in_x_auth_headers(api, clock):
    add(api)
    with CloudflareClient(Credentials(email=EMAIL, api_key=API_KEY), clock=clock) as c:
        get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    headers = api.calls[0].request.headers
    assert headers["X-Auth-Email"] == EMAIL
    assert headers["X-Auth-Key"] == API_KEY
    assert "Authorization" not in headers


def test_credentials_are_not_stored_on_the_session_headers(client):
    assert "Authorization" not in client._session.headers
    assert "X-Auth-Key" not in client._session.headers


def test_header_auth_repr_names_only_the_scheme(client):
    assert repr(client._auth) == "<credentials api_token>"
    assert TOKEN not in repr(client._auth)


def test_tls_verification_is_on_by_default_and_can_be_turned_off(api, clock):
    add(api)
    add(api)
    with CloudflareClient(Credentials(api_token=TOKEN), clock=clock) as c:
        get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    with CloudflareClient(Credentials(api_token=TOKEN), clock=clock, validate_certs=False) as c:
        get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    # requests may swap True for the REQUESTS_CA_BUNDLE path; either way verification stays on.
    assert api.calls[0].request.req_kwargs["verify"] not in (False, None, "")
    assert api.calls[1].request.req_kwargs["verify"] is False


def test_request_timeout_is_connect_capped_and_read_timeout(api, client):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert api.calls[0].request.req_kwargs["timeout"] == (CONNECT_TIMEOUT_MAX, DEFAULT_TIMEOUT)


@pytest.mark.parametrize(("remaining", "limit"), [(400, DEFAULT_TIMEOUT), (4, 4.0), (0.5, ATTEMPT_FLOOR), (-5, 1.0)])
def test_request_near_the_deadline_gets_the_time_left_but_at_least_the_floor(api, client, clock, remaining, limit):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, deadline=clock() + remaining)
    assert api.calls[0].request.req_kwargs["timeout"] == (min(CONNECT_TIMEOUT_MAX, limit), limit)


def test_small_configured_timeout_is_used_for_connect_and_read(api, clock):
    add(api)
    with CloudflareClient(Credentials(api_token=TOKEN), timeout=2.5, clock=clock) as c:
        get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    assert api.calls[0].request.req_kwargs["timeout"] == (2.5, 2.5)


def test_response_is_streamed_so_its_size_can_be_bounded(api, client):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert api.calls[0].request.req_kwargs["stream"] is True


# --- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_so_credentials_never_reach_another_host(api, client, status):
    add(api, status=status, body="", headers={"Location": "https://evil.example/steal"})
    api.add(responses.GET, "https://evil.example/steal", json=envelope(operation("completed")))
    with pytest.raises(EndpointError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert len(api.calls) == 1
    assert api.calls[0].request.url == OPERATION_URL
    assert info.value.http_status == status
    assert "https://evil.example/steal" in str(info.value)


# --- retries --------------------------------------------------------------------------------------


def test_rate_limits_and_edge_failures_are_retried_until_success(api, client):
    add(api, status=503, body="<html>503</html>")
    add(api, status=429, body=envelope(None, success=False, errors=[{"code": 971, "message": "wait"}]))
    add(api, status=502, body="<html>502</html>")
    add(api, status=500, body="")
    add(api, body=envelope(operation("running")))
    assert get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID).status == "running"
    assert [call.response.status_code for call in api.calls] == [503, 429, 502, 500, 200]


def test_retry_after_within_the_deadline_is_retried(api, client, clock):
    add(api, status=429, body="", headers={"Retry-After": "5"})
    add(api)
    assert get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, deadline=clock() + 10).status == "pending"
    assert len(api.calls) == 2


@pytest.mark.parametrize(
    ("status", "kind"),
    [(503, TransportError), (500, TransportError), (504, TransportError), (429, RateLimitedError)],
)
def test_exhausted_retries_raise_the_typed_error_of_the_last_answer(api, client, status, kind):
    add(api, status=status, body=envelope(None, success=False, errors=[{"code": 1, "message": "busy"}]))
    with pytest.raises(kind) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert len(api.calls) == 1 + client.retries == 5
    assert info.value.http_status == status
    assert "busy (1)" in str(info.value)


def test_zero_retries_means_one_request(api, clock):
    add(api, status=503, body="")
    with CloudflareClient(Credentials(api_token=TOKEN), retries=0, clock=clock) as c:
        with pytest.raises(TransportError):
            get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    assert len(api.calls) == 1


def test_negative_retries_count_as_zero(clock):
    assert CloudflareClient(Credentials(api_token=TOKEN), retries=-3, clock=clock).retries == 0


def test_retry_after_longer_than_the_remaining_deadline_is_not_retried(api, client, clock):
    add(api, status=429, body="", headers={"Retry-After": "120"})
    add(api)
    with pytest.raises(RateLimitedError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, deadline=clock() + 10)
    assert len(api.calls) == 1
    assert info.value.retry_after == 120.0
    assert info.value.http_status == 429
    assert info.value.details()["retry_after"] == 120.0


def test_without_a_deadline_one_call_may_retry_for_the_default_budget(api, client):
    add(api, status=429, body="", headers={"Retry-After": str(int(DEFAULT_CALL_BUDGET) + 1)})
    add(api)
    with pytest.raises(RateLimitedError):
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert len(api.calls) == 1


def test_retry_after_just_within_the_default_budget_is_retried(api, client):
    add(api, status=429, body="", headers={"Retry-After": str(int(DEFAULT_CALL_BUDGET) - 1)})
    add(api)
    assert get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID).status == "pending"
    assert len(api.calls) == 2


def test_unparseable_retry_after_is_still_retried_with_backoff(api, client):
    add(api, status=429, body="", headers={"Retry-After": "soon"})
    add(api)
    assert get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID).status == "pending"
    assert len(api.calls) == 2


def test_past_deadline_means_no_retry(api, client, clock):
    add(api, status=503, body="")
    add(api)
    with pytest.raises(TransportError):
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, deadline=clock())
    assert len(api.calls) == 1


def test_each_call_gets_a_fresh_retry_budget(api, client):
    for _attempt in range(2):
        add(api, status=503, body="")
        add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert [call.response.status_code for call in api.calls] == [503, 200, 503, 200]


def test_the_adapter_retry_is_bounded_by_the_call_deadline(api, client, clock):
    add(api)
    get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, deadline=clock() + 42)
    retry = client._adapter.max_retries
    assert isinstance(retry, DeadlineRetry)
    assert retry.deadline == clock() + 42
    assert retry.clock is client.clock
    assert retry.sleeper == client.clock.sleep
    assert retry.rng is client.rng


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ApiError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (501, TransportError),
    ],
)
def test_other_errors_are_not_retried(api, client, status, kind):
    add(api, status=status, body=envelope(None, success=False, errors=[{"code": 7003, "message": "no"}]))
    with pytest.raises(kind) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert info.type is kind
    assert len(api.calls) == 1


# --- transport failures ---------------------------------------------------------------------------


def test_connection_error_is_a_transport_error(api, client):
    add(api, body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(TransportError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    exc = info.value
    assert info.type is TransportError
    assert str(exc) == (
        f"GET bulk operation {OPERATION_ID}: could not get an answer from api.cloudflare.com: "
        "Connection refused. Check base_url and connectivity."
    )
    assert exc.__suppress_context__ and exc.__cause__ is None
    assert exc.http_status is None


def test_tls_failure_is_an_endpoint_error_that_names_validate_certs(api, client):
    add(api, body=requests.exceptions.SSLError(ssl.SSLCertVerificationError(1, "certificate verify failed")))
    with pytest.raises(EndpointError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    message = str(info.value)
    assert "the TLS certificate of api.cloudflare.com could not be verified: certificate verify failed" in message
    assert "validate_certs" in message


@pytest.mark.parametrize("error", [requests.exceptions.ReadTimeout, requests.exceptions.ConnectTimeout])
def test_timeout_is_a_transport_error_that_names_the_timeout(api, client, error):
    add(api, body=error("timed out"))
    with pytest.raises(TransportError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert f"api.cloudflare.com did not answer within {DEFAULT_TIMEOUT:g} s (timed out)" in str(info.value)


def test_body_over_the_limit_is_refused(api, client):
    add(api, body=b"x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(MalformedResponseError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert f"larger than {MAX_BODY_BYTES} bytes" in str(info.value)
    assert "api.cloudflare.com" in str(info.value)


def test_body_at_the_limit_is_read_and_judged(api, client, monkeypatch):
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 64)
    body = json.dumps(envelope(operation("pending"))).encode()
    add(api, body=body[:64])
    with pytest.raises(MalformedResponseError, match="not JSON"):
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", len(body))
    add(api, body=body)
    assert get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID).status == "pending"


def test_html_error_page_is_a_transport_error_with_an_excerpt(api, client):
    add(api, status=502, body="<html><body><h1>502 Bad Gateway</h1></body></html>")
    with pytest.raises(TransportError) as info:
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)
    assert "502 Bad Gateway" in str(info.value)
    assert len(api.calls) == 5


def test_unknown_status_from_the_api_is_an_unexpected_status_error(api, client):
    add(api, body=envelope(operation("cancelled")))
    with pytest.raises(UnexpectedStatusError):
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)


def test_answer_for_another_operation_is_malformed(api, client):
    add(api, body=envelope(operation("pending", operation_id="another")))
    with pytest.raises(MalformedResponseError, match="not the requested"):
        get_bulk_operation(client, ACCOUNT_ID, OPERATION_ID)


# --- secrets --------------------------------------------------------------------------------------

ECHO = [{"code": 10000, "message": f"Authentication error for token {TOKEN}"}]


def _path(status=200, body=None, headers=None):
    return {"status": status, "body": body, "headers": headers}


SECRET_PATHS = {
    "redirect": _path(302, "", {"Location": f"https://evil.example/?t={TOKEN}"}),
    "401": _path(401, envelope(None, success=False, errors=ECHO)),
    "403-html": _path(403, f"<html>forbidden: Bearer {TOKEN}</html>"),
    "404": _path(404, envelope(None, success=False, errors=ECHO)),
    "429": _path(429, envelope(None, success=False, errors=ECHO), {"Retry-After": "3600"}),
    "500": _path(500, f"<html>upstream said Bearer {TOKEN}</html>"),
    "400": _path(400, envelope(None, success=False, errors=ECHO)),
    "200-success-false": _path(200, envelope(None, success=False, errors=ECHO)),
    "200-not-json": _path(200, f"Authorization: Bearer {TOKEN}"),
    "200-list": _path(200, [TOKEN]),
    "200-no-success": _path(200, {"echo": TOKEN}),
    "200-no-result": _path(200, {"success": True, "echo": TOKEN}),
    "result-not-object": _path(200, envelope([TOKEN])),
    "result-id": _path(200, envelope({"id": f"Bearer {TOKEN}", "status": "pending"})),
    "result-status": _path(200, envelope(operation(TOKEN))),
    "result-completed": _path(200, envelope(operation("completed", completed=TOKEN))),
    "result-error": _path(200, envelope(operation("failed", error={"token": TOKEN}))),
    "connection": _path(body=requests.exceptions.ConnectionError(f"refused, header Bearer {TOKEN}")),
    "connection-nested": _path(
        body=requests.exceptions.ConnectionError(
            MaxRetryError(None, "/x", NewConnectionError(None, f"Failed to connect; token {TOKEN}"))
        )
    ),
    "tls": _path(body=requests.exceptions.SSLError(f"bad cert for {TOKEN}")),
    "timeout": _path(body=requests.exceptions.ReadTimeout(f"read timed out {TOKEN}")),
    "too-big": _path(200, TOKEN.encode() * (MAX_BODY_BYTES // len(TOKEN) + 1)),
}


@pytest.mark.parametrize("scheme", ["token", "key"])
@pytest.mark.parametrize("name", sorted(SECRET_PATHS))
def test_secret_never_appears_in_any_error(api, clock, name, scheme):
    spec = SECRET_PATHS[name]
    credentials = Credentials(api_token=TOKEN) if scheme == "token" else Credentials(email=EMAIL, api_key=TOKEN)
    add(api, status=spec["status"], body=spec["body"], headers=spec["headers"])
    with CloudflareClient(credentials, clock=clock) as c:
        with pytest.raises(CloudflareListsError) as info:
            get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID, deadline=clock() + 30)
    exc = info.value
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert TOKEN not in repr(exc.details())
    assert TOKEN not in repr(exc.cloudflare_errors)
    assert exc.__cause__ is None
    assert "\n" not in str(exc)


# --- _short_reason --------------------------------------------------------------------------------


class _WithReason(Exception):
    def __init__(self, text, reason=None):
        super().__init__(text)
        self.reason = reason


def test_short_reason_digs_to_the_innermost_cause():
    inner = OSError("[Errno 111] Connection refused")
    outer = requests.exceptions.ConnectionError(_WithReason("pool", _WithReason("retry", inner)))
    assert _short_reason(outer) == "[Errno 111] Connection refused"


def test_short_reason_follows_exception_args():
    assert _short_reason(RuntimeError(ValueError("inner"))) == "inner"


def test_short_reason_stops_at_a_plain_message():
    assert _short_reason(RuntimeError("plain")) == "plain"


def test_short_reason_stops_on_a_self_reference():
    error = _WithReason("self")
    error.reason = error
    assert _short_reason(error) == "self"


def test_short_reason_gives_up_after_five_levels():
    error = _WithReason("level 0")
    for level in range(1, 10):
        error = _WithReason(f"level {level}", error)
    assert _short_reason(error) == "level 4"


def test_short_reason_drops_the_object_address_prefix():
    error = OSError("<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to resolve 'x'")
    assert _short_reason(error) == "Failed to resolve 'x'"


def test_short_reason_of_a_silent_error_is_its_type():
    assert _short_reason(TimeoutError()) == "TimeoutError"


# --- construction ---------------------------------------------------------------------------------


def test_client_validates_base_url_and_strips_the_trailing_slash(clock):
    c = CloudflareClient(Credentials(api_token=TOKEN), "http://127.0.0.1:8787/client/v4/", clock=clock)
    assert c.base_url == "http://127.0.0.1:8787/client/v4"
    assert c.host == "127.0.0.1"


@pytest.mark.parametrize("timeout", [0, -1, "30", None, float("nan")])
def test_client_refuses_a_bad_timeout(clock, timeout):
    with pytest.raises(ValidationError) as info:
        CloudflareClient(Credentials(api_token=TOKEN), timeout=timeout, clock=clock)
    assert info.value.parameter == "request_timeout"


def test_client_mounts_its_retrying_adapter_on_a_given_session(clock):
    session = requests.Session()
    c = CloudflareClient(Credentials(api_token=TOKEN), session=session, clock=clock)
    assert session.get_adapter("https://api.cloudflare.com/") is c._adapter
    assert session.get_adapter("http://127.0.0.1/") is c._adapter
    assert isinstance(c._adapter.max_retries, DeadlineRetry)


def test_client_closes_its_session_on_exit(clock):
    closed = []

    class Session(requests.Session):
        def close(self):
            closed.append(True)
            super().close()

    with CloudflareClient(Credentials(api_token=TOKEN), session=Session(), clock=clock):
        assert closed == []
    assert closed == [True]


def test_client_defaults(clock):
    c = CloudflareClient(Credentials(api_token=TOKEN))
    assert c.base_url == BASE_URL
    assert c.timeout == DEFAULT_TIMEOUT
    assert c.validate_certs is True
    assert isinstance(c.rng, random.Random)
    assert isinstance(c._session, requests.Session)
    c.close()


def test_client_without_requests_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(client_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(client_module, "REQUESTS_IMPORT_ERROR", ImportError("No module named 'requests'"))
    with pytest.raises(CloudflareListsError, match=r"pip install requests"):
        CloudflareClient(Credentials(api_token=TOKEN))


# --- TLS, against a real TLS server on 127.0.0.1 with a certificate made for the test ------------------------
# Hostile behaviours: a self-signed certificate, a certificate for another name, plain http on an https URL.


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    root = tmp_path_factory.mktemp("certificates")
    return {
        "self-signed": make_certificate(root / "self-signed"),
        "wrong-name": make_certificate(root / "wrong-name", names=("wrong.example",), signed_by_ca=True),
    }


def https_check(server, **client_options):
    with CloudflareClient(Credentials(api_token=TOKEN), server.base_url, **client_options) as c:
        return get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)


def test_a_self_signed_certificate_is_one_clear_endpoint_error_without_a_retry(certificates):
    with HostileServer(answer(PENDING_ANSWER), tls=server_tls_context(certificates["self-signed"])) as server:
        with pytest.raises(EndpointError) as info:
            https_check(server)
    message = str(info.value)
    assert message == (
        f"GET bulk operation {OPERATION_ID}: the TLS certificate of 127.0.0.1 could not be verified: "
        "self-signed certificate. Fix the endpoint's certificate (or point REQUESTS_CA_BUNDLE at the CA that "
        "signed it), or, for a test endpoint only, turn verification off (validate_certs)."
    )
    assert info.value.__cause__ is None
    assert server.connections == 1  # one handshake: never retried
    assert server.requests == []  # and nothing, credentials included, was sent


def test_a_certificate_for_another_name_names_the_mismatch(certificates, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates["wrong-name"]["ca"]))
    with HostileServer(answer(PENDING_ANSWER), tls=server_tls_context(certificates["wrong-name"])) as server:
        with pytest.raises(EndpointError, match=r"could not be verified: IP address mismatch") as info:
            https_check(server)
    assert "turn verification off (validate_certs)" in str(info.value)
    assert server.connections == 1


def test_the_ca_that_signed_the_certificate_can_be_trusted_through_requests_ca_bundle(tmp_path, monkeypatch):
    paths = make_certificate(tmp_path, signed_by_ca=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(paths["ca"]))
    with HostileServer(answer(PENDING_ANSWER), tls=server_tls_context(paths)) as server:
        assert https_check(server).status == "pending"


def test_without_verification_a_self_signed_endpoint_answers(certificates):
    with HostileServer(answer(PENDING_ANSWER), tls=server_tls_context(certificates["self-signed"])) as server:
        assert https_check(server, validate_certs=False).status == "pending"
    assert f"Bearer {TOKEN}".encode() in server.requests[0]


def test_plain_http_behind_an_https_url_is_an_endpoint_error():
    with HostileServer(answer(PENDING_ANSWER), read_request=False) as server:
        https = f"https://127.0.0.1:{server.port}/client/v4"
        with CloudflareClient(Credentials(api_token=TOKEN), https) as c, pytest.raises(EndpointError) as info:
            get_bulk_operation(c, ACCOUNT_ID, OPERATION_ID)
    assert "the TLS handshake with 127.0.0.1 failed" in str(info.value)
    assert "https endpoint" in str(info.value)
    assert server.connections == 1
