# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests adapter under the client: a wall-clock limit on every attempt, and no proxy for plain http.

urllib3's timeouts bound each socket operation, not the whole answer, so a server that sends a byte a second
never trips them. Here each attempt (connect, TLS handshake, request, headers, and the body, which the client
reads after urllib3 returns) runs against a watchdog: when the attempt's limit passes, its socket is shut down, so
whatever is blocked on it returns at once and the attempt fails as a timeout. The limit is
``min(timeout, time left before the deadline)``, but never under ``ATTEMPT_FLOOR`` so a last check made at the
deadline is not starved.

Plain http is allowed only to loopback (validation.py), so it never goes through a proxy: environment proxies
(``HTTP_PROXY``, ``ALL_PROXY``) would carry the credential headers in clear off the machine. https honours the
usual proxy variables, through a CONNECT tunnel: the proxy sees the host name, never the headers.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from typing import Any, Callable, Dict, Mapping, Optional
from urllib.parse import urlsplit

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ReadTimeoutError
    from urllib3.poolmanager import ProxyManager
except ImportError:  # pragma: no cover - client.py reports the missing library before anything is built
    HTTPAdapter = HTTPConnection = HTTPSConnection = object  # type: ignore[misc,assignment]
    HTTPConnectionPool = HTTPSConnectionPool = ProxyManager = object  # type: ignore[misc,assignment]
    ReadTimeoutError = Exception  # type: ignore[misc,assignment]

# The least time an attempt gets, even when the deadline has (nearly) passed.
ATTEMPT_FLOOR = 1.0


class AttemptLimit:
    """The wall-clock limit of the attempt in flight, and the watchdog that enforces it.

    The client calls ``start`` before a request and ``stop`` once it has read the body; the adapter's pools call
    ``begin`` when an attempt takes its connection (urllib3 may retry within one request) and ``watch`` with the
    attempt's socket. One request at a time, like the client that owns it.

    The watchdog shuts down a duplicate of the socket's descriptor, taken when the attempt gets its socket: the
    original socket object is detached during a TLS handshake, and handed to the response (its connection
    closed) when the server says ``Connection: close``, while the duplicate stays ours until ``stop``.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.timeout = 0.0
        self.deadline = float("inf")
        self.limit = 0.0
        self.expired = False
        self._lock = threading.Lock()
        self._attempt = 0
        self._timer: Optional[threading.Timer] = None
        self._handle: Optional[socket.socket] = None

    def start(self, timeout: float, deadline: float) -> float:
        """Set the bounds of the next request; returns the limit its first attempt will get."""
        self.timeout = timeout
        self.deadline = deadline
        self.expired = False
        self.limit = self.next_limit()
        return self.limit

    def next_limit(self) -> float:
        return min(self.timeout, max(ATTEMPT_FLOOR, self.deadline - self.clock()))

    def begin(self) -> None:
        """An attempt begins: arm the watchdog with a fresh limit."""
        limit = self.next_limit()
        with self._lock:
            self._disarm()
            self._attempt += 1
            self.limit = limit
            self.expired = False
            self._timer = threading.Timer(limit, self._expire, args=(self._attempt,))
            self._timer.daemon = True
            self._timer.start()

    def watch(self, sock: Optional[socket.socket]) -> None:
        """The attempt's socket (connected, or about to be handshaken); None: it has none yet."""
        if sock is None:
            return
        with self._lock:
            self._drop_handle()
            try:
                self._handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
            except (OSError, ValueError):
                self._handle = None

    def stop(self) -> None:
        with self._lock:
            self._disarm()

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._drop_handle()

    def _drop_handle(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _expire(self, attempt: int) -> None:
        with self._lock:
            if attempt != self._attempt or self._timer is None:
                return  # that attempt is over
            self.expired = True
            if self._handle is not None:
                try:
                    self._handle.shutdown(socket.SHUT_RDWR)  # wakes whatever is blocked on the socket
                except OSError:
                    pass  # already gone


class _WatchedMixin:
    """A connection that shows each new socket to its pool's ``AttemptLimit``."""

    attempt_limit: Optional[AttemptLimit] = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.attempt_limit is not None:
            self.attempt_limit.watch(sock)
        return sock


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _LimitedPoolMixin:
    """A pool whose every attempt runs under an ``AttemptLimit``; an attempt that runs out is a read timeout."""

    def __init__(self, *args: Any, attempt_limit: AttemptLimit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._attempt_limit = attempt_limit

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        # The first step of every attempt: urllib3 retries by starting over, and takes a connection first.
        self._attempt_limit.begin()
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        connection.attempt_limit = self._attempt_limit
        self._attempt_limit.watch(getattr(connection, "sock", None))  # a kept-alive connection's socket
        return connection

    def _make_request(self, conn: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._make_request(conn, method, url, *args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            if self._attempt_limit.expired:
                # A timeout, whatever the aborted socket raised: retry.py does not retry it.
                raise ReadTimeoutError(
                    self,  # type: ignore[arg-type]
                    url,
                    f"no complete answer within {self._attempt_limit.limit:g} s",
                ) from exc
            raise


class _LimitedHTTPConnectionPool(_LimitedPoolMixin, HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _LimitedHTTPSConnectionPool(_LimitedPoolMixin, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class LimitedAdapter(HTTPAdapter):
    """``HTTPAdapter`` with per-attempt wall-clock limits (``attempt_limit``), and no proxy for plain http."""

    def __init__(self, attempt_limit: AttemptLimit, **kwargs: Any) -> None:
        self.attempt_limit = attempt_limit
        super().__init__(**kwargs)

    def _pool_classes(self) -> Dict[str, Any]:
        return {
            "http": functools.partial(_LimitedHTTPConnectionPool, attempt_limit=self.attempt_limit),
            "https": functools.partial(_LimitedHTTPSConnectionPool, attempt_limit=self.attempt_limit),
        }

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes()

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # not SOCKS, whose pools are its own
            manager.pool_classes_by_scheme = self._pool_classes()
        return manager

    def send(
        self,
        request: Any,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Optional[Mapping[str, str]] = None,
    ) -> Any:
        if urlsplit(request.url).scheme == "http":
            proxies = {}  # loopback only, and never in clear through a proxy
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
