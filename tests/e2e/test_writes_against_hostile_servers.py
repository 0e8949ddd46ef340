"""Writes over real sockets on 127.0.0.1: what may have been applied is never resent; what surely was not, is.

Hostile behaviours covered: a server that stalls after reading a write (a timeout), one that drops the connection
after it, one that answers 502, and a closed port (connection refused); a proxy in front of the emulator that
loses the answer to a write it relayed, so the next write meets that write's own pending operation (429).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    TransportError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import create_list

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.hostile_servers import Connection, DroppingProxy, HostileServer, answer, http_response, stall

TOKEN = "hostile-write-token-0d9e"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
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


# --- a write that seemed lost, and then a 429 from its own operation: never applied twice ------------------------


def test_a_write_whose_answer_was_lost_is_applied_once_though_the_next_write_meets_its_operation(
    tmp_path: Path,
) -> None:
    """The answer to the first write is lost (the write was applied, its operation pending); the sync reads the
    list again, which does not show the change yet, and writes it again: that write meets the first's operation
    (429). It must not be resent as is once that operation ends, but planned again from a new read: one bulk
    operation for one change."""
    token = "write-once-token-4f3e2d1c"
    config = EmulatorConfig(token=token, pending_seconds=4.0, running_seconds=6.0)
    items = tmp_path / "items.txt"
    items.write_text("10.0.0.1\n10.0.0.2\n")
    with Emulator(config) as emulator:
        with open_client(api_token=token, base_url=emulator.base_url) as client:
            create_list(client, ACCOUNT_ID, "write_once", "ip")
        proxy = DroppingProxy(emulator.base_url.split("/")[2])
        with HostileServer(proxy) as server:
            env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
            env.update(CLOUDFLARE_API_TOKEN=token, CLOUDFLARE_BASE_URL=server.base_url)
            result = subprocess.run(
                [COMMAND, "sync", ACCOUNT_ID, "write_once", "--file", str(items), "--timeout", "60"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )
        operations = [op for op in emulator.operations if op["action"] != "delete"]
        held = [item["ip"] for item in emulator.lists(ACCOUNT_ID)["write_once"]["items"]]
    assert result.returncode == 0, result.stderr
    assert held == ["10.0.0.1", "10.0.0.2"]
    assert len(operations) == 1, operations
    assert proxy.methods.count("POST") == 2  # the lost one, and the one that met its operation: never a third
    assert json.loads(result.stdout)["changed"] is True
