"""Hostile servers on 127.0.0.1 for tests: raw sockets, so they can do what no well-behaved framework would.

- ``HostileServer(behaviour)``: a TCP server (optionally TLS) that hands each connection, after reading the
  request head, to ``behaviour(connection, request)``. Behaviours below: ``answer`` (bytes as given, control
  characters and all), ``drip`` (one byte at a time), ``stall`` (answer late, or never),
  ``echo_failed_operation`` (a failed operation whose error quotes the request's credentials).
- ``EchoingListsApi``: a Lists API holding one list, that echoes the request's credential into the one answer its
  scenario names (a list's id or fields, an item, an operation id, a failed operation's error), cut, re-cased.
- ``PagingListsApi``: a Lists API with one ip list whose pages lie: endless fresh cursors, or no ``result_info``.
- ``DroppingProxy``: relays every request to an upstream (the emulator) and its answer back, but swallows the
  answer to the first write: the write was applied, and the client never learns it.
- ``RecordingProxy``: takes whatever a client sends a proxy, records it, and refuses to relay it.
- ``make_certificate``: a certificate made at test time, self-signed or signed by a test CA.

Only the standard library and ``cryptography`` (for certificates), so the core's unit tests can use it under
ansible-test too. Every server is a context manager that binds port 0 and stops its threads on exit.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OPERATION_ID = "4da8780eeb215e6cb7f48dd981c4ea02"

Behaviour = Callable[["Connection", bytes], None]


class Connection:
    """One accepted connection, as a behaviour sees it."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.stopping = stopping

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone or the server is stopping."""
        if self.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def pause(self, seconds: float) -> bool:
        """Sleep, but wake when the server stops; False if it did."""
        return not self.stopping.wait(seconds)


def envelope_bytes(result: Any, *, success: bool = True, errors: Optional[List[Dict[str, Any]]] = None) -> bytes:
    return json.dumps({"success": success, "errors": errors or [], "messages": [], "result": result}).encode()


def operation_bytes(status: str, **extra: Any) -> bytes:
    return envelope_bytes({"id": OPERATION_ID, "status": status, **extra})


def http_response(
    body: bytes = b"", *, status: str = "200 OK", headers: Sequence[Tuple[str, str]] = (), length: bool = True
) -> bytes:
    """A raw HTTP/1.1 response; header values go out byte for byte (latin-1), whatever they contain."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def answer(response: bytes) -> Behaviour:
    """Answer at once with ``response`` (see ``http_response``)."""

    def behave(connection: Connection, _request: bytes) -> None:
        connection.send(response)

    return behave


def drip(response: bytes, *, interval: float = 0.5, head_at_once: bool = False) -> Behaviour:
    """Send ``response`` one byte every ``interval`` s; with ``head_at_once``, the headers go out at once and
    only the body drips. Each byte arrives well within any per-read timeout, so only a wall clock stops it."""

    def behave(connection: Connection, _request: bytes) -> None:
        start = 0
        if head_at_once:
            start = response.index(b"\r\n\r\n") + 4
            if not connection.send(response[:start]):
                return
        for index in range(start, len(response)):
            if not connection.send(response[index : index + 1]) or not connection.pause(interval):
                return

    return behave


def stall(seconds: Optional[float], then: Optional[bytes] = None) -> Behaviour:
    """Say nothing for ``seconds`` (None: until the server stops), then send ``then`` if given."""

    def behave(connection: Connection, _request: bytes) -> None:
        if connection.stopping.wait(seconds) or then is None:
            return
        connection.send(then)

    return behave


def header(request: bytes, name: str) -> str:
    """A header's value from a request head, or ''."""
    for line in request.decode("latin-1").split("\r\n")[1:]:
        key, value = line.partition(":")[::2]
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def echo_failed_operation(template: str = "invalid list item: {credentials}") -> Behaviour:
    """Report the operation ``failed``, quoting the request's credential headers in its ``error``, with every
    ``/`` JSON-escaped as ``\\/`` (as PHP and other encoders do)."""

    def behave(connection: Connection, request: bytes) -> None:
        credentials = " ".join(
            filter(None, (header(request, name) for name in ("Authorization", "X-Auth-Email", "X-Auth-Key")))
        )
        body = operation_bytes(
            "failed", completed="2024-05-01T08:00:00Z", error=template.format(credentials=credentials)
        )
        connection.send(http_response(body.replace(b"/", b"\\/")))

    return behave


def request_body(connection: Connection, request: bytes) -> bytes:
    """The request's body (as its Content-Length says), past the head ``read_head`` returned."""
    _head, _separator, body = request.partition(b"\r\n\r\n")
    length = int(header(request, "Content-Length") or 0)
    while len(body) < length:
        try:
            chunk = connection.sock.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        body += chunk
    return body[:length]


def credential(request: bytes) -> str:
    """The credential the request carries: the bearer token, else the global API key."""
    return header(request, "Authorization").partition("Bearer ")[2] or header(request, "X-Auth-Key")


LIST_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"
ECHOED_ITEM_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


class EchoingListsApi:
    """A Lists API with one list, ``name`` of ``kind``, that echoes the credential where ``scenario`` says:

    - ``operation_id``: a write's answer carries the credential as its ``operation_id``;
    - ``duplicate_list``: a second list of the same name has the credential as its id;
    - ``malformed_list``: the list lacks its kind, and its description (cut short in any quote) is the credential;
    - ``invalid_item``: an item read is not an item of the kind, and quotes the credential late in its value;
    - ``truncated_error``: the write's operation fails, quoting the first 20 characters of the credential;
    - ``upper_cased_error``: the write's operation fails, quoting the credential in upper case;
    - ``hostname_read_back``: the list reads back, after the write, an extra hostname: the credential in lower case.

    ``exists``: the list is there from the start (else a POST creates it). Writes are applied at once and their
    operation reported completed (or failed) on its first check.
    """

    SCENARIOS = (
        "operation_id",
        "duplicate_list",
        "malformed_list",
        "invalid_item",
        "truncated_error",
        "upper_cased_error",
        "hostname_read_back",
    )

    def __init__(self, scenario: str, *, kind: str = "ip", name: str = "echoed", exists: bool = True) -> None:
        assert scenario in self.SCENARIOS, scenario
        self.scenario = scenario
        self.kind = kind
        self.name = name
        self.exists = exists
        self.items: List[Dict[str, Any]] = []
        self.written = False
        self.writes: List[str] = []

    def _list(self, echo: str) -> Dict[str, Any]:
        facts = {"id": LIST_ID, "name": self.name, "kind": self.kind, "description": "", "num_items": len(self.items)}
        if self.scenario == "malformed_list":  # the description early, so a quote cut at 80 characters cuts it
            return {"id": LIST_ID, "description": echo, "name": self.name, "num_items": 0}
        return facts

    def _lists(self, echo: str) -> List[Dict[str, Any]]:
        found = [self._list(echo)] if self.exists or self.scenario in ("duplicate_list", "malformed_list") else []
        if self.scenario == "duplicate_list":
            found.append({**self._list(echo), "id": echo})
        return found

    def _read_items(self, echo: str) -> List[Dict[str, Any]]:
        if self.scenario == "invalid_item":
            return [{"id": ECHOED_ITEM_ID, self.kind: "not an item, and quoting the request header: Bearer " + echo}]
        extra: List[Dict[str, Any]] = []
        if self.scenario == "hostname_read_back" and self.written:
            extra = [{"id": ECHOED_ITEM_ID, "hostname": {"url_hostname": echo.lower() + ".example.net"}}]
        return [{"id": f"{index:032x}", **item} for index, item in enumerate(self.items)] + extra

    def _operation(self, echo: str) -> Dict[str, Any]:
        done = {"id": OPERATION_ID, "completed": "2024-05-01T08:00:00Z"}
        if self.scenario == "truncated_error":
            return {**done, "status": "failed", "error": f"bad token {echo[:20]}..."}
        if self.scenario == "upper_cased_error":
            return {**done, "status": "failed", "error": f"invalid item: {echo.upper()}"}
        return {**done, "status": "completed"}

    def __call__(self, connection: Connection, request: bytes) -> None:
        body = request_body(connection, request)
        echo = credential(request)
        method, target = request.decode("latin-1").split(" ", 2)[:2]
        path = target.split("?", 1)[0].split("/rules/lists", 1)[-1]
        result: Any
        if path == "" and method == "GET":
            result = self._lists(echo)
        elif path == "" and method == "POST":
            self.exists = True
            result = self._list(echo)
        elif path == f"/{LIST_ID}":
            result = self._list(echo)
        elif path == f"/{LIST_ID}/items" and method == "GET":
            page = self._read_items(echo)
            connection.send(http_response(envelope_bytes(page)[:-1] + b', "result_info": {"cursors": {}}}'))
            return
        elif path == f"/{LIST_ID}/items":
            self.writes.append(method)
            if method in ("PUT", "POST"):
                given = json.loads(body or b"[]")
                if method == "PUT":
                    self.items = []
                self.items += [{k: v for k, v in item.items() if k != "id"} for item in given]
            self.written = True
            result = {"operation_id": echo if self.scenario == "operation_id" else OPERATION_ID}
        elif path.startswith("/bulk_operations/"):
            result = self._operation(echo)
        else:
            connection.send(http_response(envelope_bytes(None, success=False), status="404 Not Found"))
            return
        connection.send(http_response(envelope_bytes(result)))


class PagingListsApi:
    """One ip list, said to hold ``num_items``, whose item pages misbehave as ``pages`` says:

    - ``endless``: every page is full (``per_page`` items, new ones each time) with a fresh ``after`` cursor;
    - ``no_result_info``: one full page, without ``result_info``, however many items the list holds;
    - ``honest``: the ``num_items`` items, in pages as asked, with cursors, and nothing after them.

    ``served`` counts the item pages served. Writes are accepted and completed at once, changing nothing.
    """

    def __init__(self, num_items: int, pages: str = "endless", name: str = "paged") -> None:
        self.num_items = num_items
        self.pages = pages
        self.name = name
        self.served = 0
        self.writes = 0
        self._lock = threading.Lock()

    def _list(self) -> Dict[str, Any]:
        return {"id": LIST_ID, "name": self.name, "kind": "ip", "description": "", "num_items": self.num_items}

    def _page(self, target: str) -> bytes:
        query = dict(part.split("=", 1) for part in target.partition("?")[2].split("&") if "=" in part)
        size = int(query.get("per_page", "25"))
        with self._lock:
            self.served += 1
            serial = self.served
        start = int(query["cursor"][1:]) if self.pages == "honest" and "cursor" in query else 0
        if self.pages == "endless":
            start = serial * size
        end = min(start + size, self.num_items) if self.pages == "honest" else start + size
        items = [
            {"id": f"{number:032x}", "ip": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"}
            for number in range(start, end)
        ]
        document: Dict[str, Any] = {"success": True, "errors": [], "messages": [], "result": items}
        if self.pages == "endless":
            document["result_info"] = {"cursors": {"after": f"fresh-{serial}"}}
        elif self.pages == "honest":
            document["result_info"] = {"cursors": {"after": f"c{end}"} if end < self.num_items else {}}
        return json.dumps(document).encode()

    def __call__(self, connection: Connection, request: bytes) -> None:
        request_body(connection, request)
        method, target = request.decode("latin-1").split(" ", 2)[:2]
        path = target.split("?", 1)[0].split("/rules/lists", 1)[-1]
        if path == "" and method == "GET":
            body = envelope_bytes([self._list()])
        elif path == f"/{LIST_ID}" and method == "GET":
            body = envelope_bytes(self._list())
        elif path == f"/{LIST_ID}/items" and method == "GET":
            body = self._page(target)
        elif path == f"/{LIST_ID}/items":
            with self._lock:
                self.writes += 1
            body = envelope_bytes({"operation_id": OPERATION_ID})
        elif path.startswith("/bulk_operations/"):
            body = operation_bytes("completed", completed="2024-05-01T08:00:00Z")
        else:
            body = envelope_bytes(None, success=False)
        connection.send(http_response(body))


class DroppingProxy:
    """Relays each request to ``upstream`` (``host:port``) and relays its answer, made ``Connection: close``; the
    answers to the first ``drop_writes`` writes (POST, PUT, DELETE) are read and dropped, the connection closed
    without a word. ``methods`` lists every request's method, in order."""

    def __init__(self, upstream: str, drop_writes: int = 1) -> None:
        self.upstream = upstream
        self.drop_writes = drop_writes
        self.methods: List[str] = []
        self._lock = threading.Lock()

    def __call__(self, connection: Connection, request: bytes) -> None:
        body = request_body(connection, request)
        head = request.partition(b"\r\n\r\n")[0]
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        method = lines[0].split(b" ", 1)[0].decode("latin-1")
        host, port = self.upstream.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=30) as upstream:
            upstream.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
            answer = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                answer += chunk
        with self._lock:
            self.methods.append(method)
            drop = method != "GET" and self.drop_writes > 0
            if drop:
                self.drop_writes -= 1
        if drop:
            return
        answer_head, _separator, answer_body = answer.partition(b"\r\n\r\n")
        kept = [line for line in answer_head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        connection.send(b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n" + answer_body)


class HostileServer:
    """A server on 127.0.0.1:0 that answers every connection with ``behaviour``; ``tls`` makes it https.

    ``requests`` holds the request head (request line and headers) of every connection, as bytes, and
    ``connections`` counts them. With ``read_request=False`` the behaviour starts at once, before the client
    has sent anything.
    """

    def __init__(
        self,
        behaviour: Behaviour,
        *,
        tls: Optional[ssl.SSLContext] = None,
        path: str = "/client/v4",
        read_request: bool = True,
    ) -> None:
        self.behaviour = behaviour
        self.tls = tls
        self.path = path
        self.read_request = read_request
        self.requests: List[bytes] = []
        self.connections = 0
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: List[threading.Thread] = []
        self._sockets: List[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{self.path}"

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stopping.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        self._listener.settimeout(0.1)  # closing a listener does not wake a blocked accept()
        while not self._stopping.is_set():
            try:
                sock, _address = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            sock.settimeout(None)
            with self._lock:
                self._sockets.append(sock)
                self.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock,), name="hostile-conn", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket) -> None:
        try:
            if self.tls is not None:
                sock.settimeout(10)
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except (OSError, ssl.SSLError):
                    return  # the client refused our certificate: what the TLS tests expect
                with self._lock:
                    self._sockets.append(sock)
            request = read_head(sock) if self.read_request else b""
            if request is None:
                return
            self.requests.append(request)
            self.behaviour(Connection(sock, self._stopping), request)
        finally:
            try:
                sock.close()
            except OSError:
                pass


def read_head(sock: socket.socket, limit: int = 65536) -> Optional[bytes]:
    """The request line and headers, or None if the client went away first."""
    data = b""
    sock.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < limit:
        try:
            chunk = sock.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


class RecordingProxy:
    """Plays an HTTP proxy: records the bytes each client sends it (a proxied request, or a CONNECT), then
    answers 502 without relaying anything, so nothing it was given goes further."""

    def __init__(self) -> None:
        self.received: List[bytes] = []
        self._server = HostileServer(self._refuse, path="")

    def _refuse(self, connection: Connection, request: bytes) -> None:
        self.received.append(request)
        connection.send(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    def __enter__(self) -> RecordingProxy:
        self._server.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._server.__exit__(*exc_info)


def make_certificate(
    directory: Path, *, names: Sequence[str] = ("127.0.0.1", "localhost"), signed_by_ca: bool = False
) -> Dict[str, Path]:
    """Write a certificate for ``names`` (IP addresses or DNS names) and its key to ``directory``.

    Self-signed by default; with ``signed_by_ca``, signed by a fresh test CA whose certificate is ``ca`` in the
    result, so a client that trusts that CA gets as far as checking the names. Returns the paths ``cert``,
    ``key`` and, with a CA, ``ca``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject: str, key: Any, issuer: str, issuer_key: Any, *, ca: bool, sans: Sequence[str]) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if sans:
            alternatives: List[x509.GeneralName] = []
            for name in sans:
                try:
                    alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
                except ValueError:
                    alternatives.append(x509.DNSName(name))
            builder = builder.add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def pem(certificate: Any) -> bytes:
        return bytes(certificate.public_bytes(serialization.Encoding.PEM))

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    paths = {"cert": directory / "cert.pem", "key": directory / "key.pem"}
    if signed_by_ca:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = build("edgeops test CA", ca_key, "edgeops test CA", ca_key, ca=True, sans=())
        leaf = build(names[0], key, "edgeops test CA", ca_key, ca=False, sans=names)
        paths["ca"] = directory / "ca.pem"
        paths["ca"].write_bytes(pem(ca_cert))
    else:
        leaf = build(names[0], key, names[0], key, ca=False, sans=names)
    paths["cert"].write_bytes(pem(leaf))
    paths["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def server_tls_context(paths: Mapping[str, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(paths["cert"]), str(paths["key"]))
    return context


def elapsed(action: Callable[[], Any]) -> Tuple[float, Any]:
    """Run ``action``; return (seconds it took, what it returned or the exception it raised)."""
    start = time.monotonic()
    try:
        outcome: Any = action()
    except Exception as exc:
        outcome = exc
    return time.monotonic() - start, outcome
