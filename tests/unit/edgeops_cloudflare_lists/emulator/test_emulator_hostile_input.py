"""Hostile input never gets a 500, never loses a write and never forges a log line.

Covered, each against a real emulator on 127.0.0.1 unless the test says otherwise:
- bodies that are too deep, not JSON (NaN, bad UTF-8, a 5,000-digit number), too large (by Content-Length and
  chunked), or badly chunked;
- connections that send nothing, or stop half-way: closed after the socket timeout;
- a request target that the HTTP layer can't parse (``//[::1``);
- ``%0a`` and raw control characters in the path, with ``--verbose`` logging;
- random methods, paths, queries and bodies, in process (hypothesis), with the internal-error count at 0.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Callable, Dict, List
from urllib.parse import quote

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from edgeops_cloudflare_lists.emulator.app import EmulatorApp
from edgeops_cloudflare_lists.emulator.state import ListsState

TOKEN = "hostile-token"


def raw_exchange(emulator: Emulator, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks: List[bytes] = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def request_bytes(emulator: Emulator, method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {emulator.config.token}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if "Content_Length" not in headers and "Transfer_Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def status_and_body(response: bytes) -> tuple[int, Any]:
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip().startswith(b"{") else body


def items_path(list_id: str) -> str:
    return f"/client/v4/accounts/{ACCOUNT}/rules/lists/{list_id}/items"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "Malformed JSON"),  # deeper than the parser's recursion limit
        (b"[" * 40 + b"]" * 40, "nested deeper than 32 levels"),
        (b'[{"ip": "10.0.0.1", "comment": ' + b"[" * 33 + b"]" * 33 + b"}]", "nested deeper"),
        (b'[{"asn": NaN}]', "Malformed JSON"),
        (b'[{"asn": Infinity}]', "Malformed JSON"),
        (b'[{"asn": ' + b"9" * 5000 + b"}]", "Malformed JSON"),
        (b'[{"ip": "\xff\xfe"}]', "Malformed JSON"),
        (b"\x00\x01", "Malformed JSON"),
    ],
)
def test_a_body_that_is_not_sane_json_is_400_and_changes_nothing(
    emulator: Emulator, api: Api, body: bytes, message: str
) -> None:
    list_id = api.create_list()["id"]
    response = api.request("POST", f"/{list_id}/items", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]
    assert emulator.operations == []
    assert emulator.stats()["internal_errors"] == 0


def test_a_body_over_the_cap_is_413_before_it_is_sent(start_emulator: Callable[..., Emulator], api_for: Any) -> None:
    emulator = start_emulator(max_body_bytes=1000)
    list_id = api_for(emulator).create_list()["id"]
    # Only the headers go out: the emulator must answer from Content-Length alone.
    response = raw_exchange(emulator, request_bytes(emulator, "POST", items_path(list_id), Content_Length="1001"))
    status, body = status_and_body(response)
    assert status == 413
    assert body["errors"] == [{"code": 10010, "message": "Request body too large: at most 1000 bytes"}]
    assert api_for(emulator).request("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}]).status_code == 200


def test_a_chunked_body_over_the_cap_is_413(start_emulator: Callable[..., Emulator], api_for: Any) -> None:
    emulator = start_emulator(max_body_bytes=1000)
    list_id = api_for(emulator).create_list()["id"]
    chunk = b"[" + b" " * 1500 + b"]"
    body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    request = request_bytes(emulator, "PUT", items_path(list_id), body, Transfer_Encoding="chunked")
    assert status_and_body(raw_exchange(emulator, request))[0] == 413
    assert emulator.operations == []


def test_a_badly_chunked_body_is_400(emulator: Emulator, api: Api) -> None:
    list_id = api.create_list()["id"]
    request = request_bytes(emulator, "POST", items_path(list_id), b"zz\r\n[]\r\n", Transfer_Encoding="chunked")
    status, body = status_and_body(raw_exchange(emulator, request))
    assert status == 400
    assert body["errors"][0]["message"] == "The request body could not be read"
    assert emulator.operations == []


@pytest.mark.parametrize("sent", [b"", b"GET /client/v4/acc", b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n[{"])
def test_a_connection_that_goes_quiet_is_closed_after_the_socket_timeout(
    start_emulator: Callable[..., Emulator], sent: bytes
) -> None:
    emulator = start_emulator(socket_timeout_seconds=0.3)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as connection:
        connection.sendall(sent)
        while connection.recv(65536):  # whatever comes, the server then closes
            pass
    assert time.monotonic() - started < 5
    assert emulator.stats()["internal_errors"] == 0


def test_the_default_socket_timeout_is_a_minute() -> None:
    assert EmulatorConfig().socket_timeout_seconds == 60.0


@pytest.mark.parametrize("target", ["//[::1", "//x]/client/v4", "http://[::1/x"])
def test_a_request_target_the_http_layer_cannot_parse_is_an_unknown_route(
    emulator: Emulator, api: Api, target: str, capfd: pytest.CaptureFixture[str]
) -> None:
    status, body = status_and_body(raw_exchange(emulator, request_bytes(emulator, "GET", target)))
    assert status == 400
    assert body["errors"] == [{"code": 7000, "message": "No route for that URI"}]
    assert api.request("GET").status_code == 200
    assert "Traceback" not in capfd.readouterr().err


def logged_lines(emulator: Emulator, lines: List[str], data: bytes) -> List[str]:
    raw_exchange(emulator, data)
    return lines


@pytest.fixture
def logging_emulator() -> Any:
    lines: List[str] = []
    with Emulator(EmulatorConfig(token=TOKEN), log=lines.append) as emulator:
        yield emulator, lines


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/client/v4/x%0a127.0.0.1%20GET%20/forged%20200", "/client/v4/x%0a127.0.0.1%20GET%20/forged%20200"),
        ("/client/v4/x%0d%0aforged", "/client/v4/x%0d%0aforged"),
        ("/client/v4/\x1b[31mred", "/client/v4/\\x1b[31mred"),
        ("/client/v4/\x7f\x9b", "/client/v4/\\x7f\\xc2\\x9b"),  # as werkzeug hands it on: UTF-8
    ],
)
def test_a_logged_request_line_is_one_line_as_sent_with_control_characters_escaped(
    logging_emulator: Any, path: str, shown: str
) -> None:
    emulator, lines = logging_emulator
    raw_exchange(emulator, request_bytes(emulator, "GET", path))
    assert lines == [f"127.0.0.1 GET {shown} 400"]


@pytest.fixture
def in_process() -> Any:
    """The WSGI app without sockets, on a fake clock: fast enough for hypothesis."""
    clock = FakeClock()
    config = EmulatorConfig(token=TOKEN, pending_seconds=1, running_seconds=1, max_body_bytes=4096, rate_limit=10**9)
    state = ListsState(config, clock)
    app = EmulatorApp(config, state, clock, sleep=lambda seconds: None)
    client = Client(app)
    lists: Dict[str, str] = {}
    for kind in ("ip", "hostname", "asn", "redirect"):
        created = client.post(
            f"/client/v4/accounts/{ACCOUNT}/rules/lists",
            json={"name": f"fuzz_{kind}", "kind": kind},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        lists[kind] = created.get_json()["result"]["id"]
    return client, clock, app, lists


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15,
)
item_like = st.fixed_dictionaries(
    {},
    optional={
        "ip": json_values | st.text("0123456789abcdef:./", max_size=25),
        "asn": json_values,
        "hostname": json_values | st.fixed_dictionaries({"url_hostname": st.text("ab.*-", max_size=12)}),
        "redirect": json_values
        | st.fixed_dictionaries({"source_url": st.text("ab.[]:/?", max_size=12), "target_url": st.text(max_size=12)}),
        "comment": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(item_like, max_size=5).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"items": st.lists(json_values, max_size=3)}).map(lambda value: json.dumps(value).encode()),
)
queries = st.dictionaries(
    st.sampled_from(["per_page", "cursor", "search", "x"]), st.text(max_size=12) | st.sampled_from(["\u00b2", "5"])
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    where=st.sampled_from(["", "/{list}", "/{list}/items", "/{list}/items/{junk}", "/bulk_operations/{junk}"]),
    kind=st.sampled_from(["ip", "hostname", "asn", "redirect"]),
    junk=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10),
    query=queries,
    body=bodies,
    advance=st.floats(0, 3),
)
def test_no_request_gets_a_500_or_breaks_an_operation(
    in_process: Any, method: str, where: str, kind: str, junk: str, query: Dict[str, str], body: bytes, advance: float
) -> None:
    client, clock, app, lists = in_process
    path = f"/client/v4/accounts/{ACCOUNT}/rules/lists" + where.format(list=lists[kind], junk=quote(junk, safe=""))
    response = client.open(
        path,
        method=method,
        query_string=query,
        data=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 400, 404, 413, 429), response.get_data(as_text=True)
    assert response.is_json
    clock.advance(advance)
    assert app.stats()["internal_errors"] == 0
