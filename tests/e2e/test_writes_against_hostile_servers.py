"""Writes over real sockets on 127.0.0.1: what may have been applied is never resent; what surely was not, is.

Hostile behaviours covered: a server that stalls after reading a write (a timeout), one that drops the connection
after it, one that answers 502, and a closed port (connection refused).
"""

from __future__ import annotations

import socket
import time

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    TransportError,
)

from tests.hostile_servers import Connection, HostileServer, answer, http_response, stall

TOKEN = "hostile-write-token-0d9e"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
ITEMS = ("accounts", ACCOUNT_ID, "rules", "lists", "2c0fc9fa937b11eaa1b71c4d701ab86e", "items")


def post(base_url: str, *, timeout: float = 1.0) -> None:
    with open_client(api_token=TOKEN, base_url=base_url, timeout=timeout) as client:
        client.request("POST", ITEMS, what="POST items", json=[{"ip": "10.0.0.1"}], deadline=client.clock() + 5)


def hang_up(connection: Connection, _request: bytes) -> None:
    """Read the write, then close without a word."""


def test_a_write_that_times_out_is_ambiguous_and_sent_once() -> None:
    with HostileServer(stall(30)) as server:
        with pytest.raises(AmbiguousWriteError, match="may or may not have been applied"):
            post(server.base_url)
        assert server.connections == 1


def test_a_write_whose_connection_drops_after_sending_is_ambiguous_and_sent_once() -> None:
    with HostileServer(hang_up) as server:
        with pytest.raises(AmbiguousWriteError):
            post(server.base_url)
        assert server.connections == 1


def test_a_write_answered_502_is_ambiguous_and_sent_once() -> None:
    with HostileServer(answer(http_response(b"<html>bad gateway</html>", status="502 Bad Gateway"))) as server:
        with pytest.raises(AmbiguousWriteError, match="HTTP 502"):
            post(server.base_url)
        assert server.connections == 1


def test_a_write_to_a_closed_port_is_retried_and_then_a_plain_transport_error() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connection refused
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        post(f"http://127.0.0.1:{port}/client/v4")
    assert not isinstance(info.value, AmbiguousWriteError)
    assert time.monotonic() - started < 30  # retried with backoff, within the call's deadline
