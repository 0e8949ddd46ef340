"""transport: every attempt has a wall-clock limit, against real hostile servers on 127.0.0.1 (no mocks).

Hostile behaviours covered:
- headers, or the body, sent one byte at a time, each byte well within any per-read timeout;
- a TLS handshake dripped a byte at a time;
- an answer that comes only after the wait's deadline (or never);
and that a request cut off at its limit is not retried within the same call;
- proxy variables (HTTP_PROXY, ALL_PROXY...) that would take a plain-http request, credentials included, off
  loopback, and an https proxy that must see only a CONNECT.
"""

from __future__ import annotations

import random
import re

import pytest
import requests
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import wait_for_bulk_operation
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import TransportError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.transport import ATTEMPT_FLOOR
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy
from core_testkit import ACCOUNT_ID, OPERATION_ID, TOKEN
from hostile_servers import HostileServer, RecordingProxy, answer, drip, elapsed, http_response, operation_bytes, stall

# How late a bounded call may end: thread start-up and a loaded 2-core CI machine, not protocol slack.
SLACK = 0.75
PENDING = http_response(operation_bytes("pending"))


def client_for(server: HostileServer, timeout: float) -> CloudflareClient:
    return CloudflareClient(Credentials(api_token=TOKEN), server.base_url, timeout=timeout, rng=random.Random(0))


def check_once(server: HostileServer, *, timeout: float, remaining: float = 60.0):
    with client_for(server, timeout) as client:
        deadline = client.clock() + remaining
        return elapsed(lambda: client.get_bulk_operation(ACCOUNT_ID, OPERATION_ID, deadline=deadline))


@pytest.mark.parametrize(
    "behaviour",
    [drip(PENDING, interval=0.2), drip(PENDING, interval=0.2, head_at_once=True)],
    ids=["headers-drip", "body-drips"],
)
def test_a_dripping_answer_is_cut_off_at_the_request_timeout(behaviour):
    with HostileServer(behaviour) as server:
        seconds, outcome = check_once(server, timeout=1.5)
    assert isinstance(outcome, TransportError)
    assert 1.5 <= seconds < 1.5 + SLACK
    assert "did not answer within 1.5 s (cut off at 1.5 s)" in str(outcome)
    assert len(server.requests) == 1  # cut off, not retried within the call


def test_a_dripping_answer_is_cut_off_at_the_deadline_when_that_comes_first():
    with HostileServer(drip(PENDING, interval=0.2)) as server:
        seconds, outcome = check_once(server, timeout=30, remaining=1.5)
    assert isinstance(outcome, TransportError)
    assert 1.5 <= seconds < 1.5 + SLACK
    # The time left when the request started: a little under 1.5 s on a busy machine.
    cut = re.search(r"cut off at ([0-9.]+) s, the time left before the deadline", str(outcome))
    assert cut is not None and 1.3 <= float(cut.group(1)) <= 1.5, outcome


@pytest.mark.parametrize("remaining", [0.0, -10.0])
def test_a_request_at_or_after_the_deadline_still_gets_the_floor(remaining):
    with HostileServer(drip(PENDING, interval=0.2)) as server:
        seconds, outcome = check_once(server, timeout=30, remaining=remaining)
    assert isinstance(outcome, TransportError)
    assert ATTEMPT_FLOOR <= seconds < ATTEMPT_FLOOR + SLACK


def test_a_late_answer_within_the_limit_is_read():
    with HostileServer(stall(0.5, then=PENDING)) as server:
        seconds, outcome = check_once(server, timeout=5)
    assert outcome.status == "pending"
    assert 0.5 <= seconds < 0.5 + SLACK


def test_a_dripped_tls_handshake_is_cut_off_too():
    # A ServerHello record that never ends: the TLS layer keeps reading, a byte at a time.
    with HostileServer(drip(b"\x16\x03\x03\x40\x00" + b"\x02" * 2000, interval=0.2)) as server:
        https = CloudflareClient(
            Credentials(api_token=TOKEN), f"https://127.0.0.1:{server.port}/client/v4", timeout=1.5
        )
        with https:
            seconds, outcome = elapsed(lambda: https.get_bulk_operation(ACCOUNT_ID, OPERATION_ID))
    assert isinstance(outcome, TransportError)
    assert 1.5 <= seconds < 1.5 + SLACK


@pytest.mark.parametrize(
    ("behaviour", "timeout"),
    [(drip(PENDING, interval=0.3), 2.0), (stall(6, then=PENDING), 30.0), (stall(None), 30.0)],
    ids=["drip-timeout-2", "answers-after-6s", "never-answers"],
)
def test_a_wait_ends_within_its_timeout_plus_the_floor_whatever_the_server_does(behaviour, timeout):
    with HostileServer(behaviour) as server, client_for(server, timeout) as client:
        seconds, outcome = elapsed(
            lambda: wait_for_bulk_operation(client, ACCOUNT_ID, OPERATION_ID, WaitPolicy(timeout=2.5))
        )
    assert isinstance(outcome, TransportError), outcome
    assert seconds < 2.5 + ATTEMPT_FLOOR + SLACK


# --- proxies: plain http never goes through one; https only through a CONNECT tunnel -----------------------------
# Hostile setting: proxy variables that would carry the credential headers of a plain-http request off loopback.

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def proxy(monkeypatch):
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with RecordingProxy() as recording:
        yield recording


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_plain_http_to_loopback_ignores_environment_proxies(proxy, monkeypatch, variable):
    monkeypatch.setenv(variable, proxy.url)
    with HostileServer(answer(PENDING)) as server, client_for(server, 5) as client:
        assert client.get_bulk_operation(ACCOUNT_ID, OPERATION_ID).status == "pending"
    assert proxy.received == []
    assert f"Bearer {TOKEN}".encode() in server.requests[0]


def test_plain_http_ignores_proxies_set_on_a_given_session(proxy):
    session = requests.Session()
    session.proxies = {"http": proxy.url, "all": proxy.url}
    with HostileServer(answer(PENDING)) as server:
        with CloudflareClient(Credentials(api_token=TOKEN), server.base_url, session=session) as client:
            assert client.get_bulk_operation(ACCOUNT_ID, OPERATION_ID).status == "pending"
    assert proxy.received == []


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "ALL_PROXY"])
def test_https_goes_through_an_environment_proxy_only_as_a_tunnel_the_proxy_cannot_read(proxy, monkeypatch, variable):
    monkeypatch.setenv(variable, proxy.url)
    client = CloudflareClient(Credentials(api_token=TOKEN), "https://127.0.0.1:9/client/v4", timeout=5, retries=0)
    with client, pytest.raises(TransportError) as info:
        client.get_bulk_operation(ACCOUNT_ID, OPERATION_ID)
    assert proxy.received
    for request in proxy.received:
        assert request.startswith(b"CONNECT 127.0.0.1:9 HTTP/1.")
        assert TOKEN.encode() not in request
        assert b"Authorization" not in request
    assert "through the proxy" in str(info.value)
    assert "HTTPS_PROXY" in str(info.value)
