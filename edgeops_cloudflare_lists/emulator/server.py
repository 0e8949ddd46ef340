"""The emulator as a background HTTP server (:class:`Emulator`) and as a command (:func:`main`)."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time
from dataclasses import replace
from types import FrameType, TracebackType
from typing import Any, Callable, Dict, List, Optional, Sequence, Type

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import API_PREFIX, STATS_PATH, EmulatorApp, stderr_log
from .config import DEFAULT_API_KEY, DEFAULT_EMAIL, DEFAULT_TOKEN, FAULT_KINDS, ITEM_ERROR_MODES, EmulatorConfig
from .state import ListsState


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's own log lines go away (the app logs one escaped line per request when verbose), and a request
    target that werkzeug can't parse (``GET //[::1``) reaches the app as an unknown route instead of killing the
    connection with a traceback. Each Emulator subclasses it to set ``timeout``, the idle socket timeout."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        # Timeouts, bad request lines: nothing a user of the emulator needs, and nothing to print unescaped.
        pass

    def make_environ(self) -> Any:
        try:
            return super().make_environ()
        except ValueError:
            self.path = "/" + "".join(f"%{byte:02X}" for byte in self.path.encode("utf-8", "surrogateescape"))
            return super().make_environ()


class Emulator:
    """A Cloudflare Rules Lists API on loopback, served by a threaded werkzeug server in a background thread.

    ``clock`` (monotonic seconds) drives operation progress, timestamps and the rate-limit window; ``sleep`` is
    what the "slow" fault calls. Inject both to make a test deterministic. ``poll_interval`` bounds how long
    :meth:`stop` takes.
    """

    def __init__(
        self,
        config: Optional[EmulatorConfig] = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: Optional[Callable[[str], None]] = None,
        poll_interval: float = 0.01,
    ) -> None:
        self._poll_interval = poll_interval
        self.config = config if config is not None else EmulatorConfig()
        self.state = ListsState(self.config, clock)
        self.app = EmulatorApp(self.config, self.state, clock, sleep, log)
        self._handler = type("RequestHandler", (_QuietRequestHandler,), {"timeout": self.config.socket_timeout_seconds})
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> Emulator:
        """Bind (port 0 picks a free port) and serve in a daemon thread. Raises OSError if binding fails."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        # Bind here rather than in werkzeug, which prints and exits the process when the port is taken.
        listener = socket.create_server((self.config.host, self.config.port), family=family)
        try:
            server = make_server(
                self.config.host,
                listener.getsockname()[1],
                self.app,
                threaded=True,
                request_handler=self._handler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug serves a duplicate of the descriptor
        self._server = server
        self._thread = threading.Thread(
            # stop() waits for the serve loop to look at its flag: a short poll keeps tests' teardown quick.
            target=server.serve_forever,
            kwargs={"poll_interval": self._poll_interval},
            name="cloudflare-lists-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:PORT/client/v4, the value to use as CLOUDFLARE_BASE_URL."""
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"http://{host}:{self.port}{API_PREFIX}"

    @property
    def request_count(self) -> int:
        """Requests received so far, faulted ones included."""
        return self.app.request_count

    @property
    def fault_counts(self) -> Dict[str, int]:
        """How many faults of each kind were injected so far."""
        return self.app.fault_counts

    @property
    def throttled_counts(self) -> Dict[str, int]:
        """429s answered so far, by kind: ``rate_limit`` (code 971, the per-credential limit),
        ``operation_pending`` (a write while the account has a pending bulk operation) and ``fault`` (injected)."""
        counts: Dict[str, int] = self.app.stats()["throttled"]
        return counts

    def stats(self) -> Dict[str, Any]:
        """What ``GET /_emulator/stats`` answers: ``requests``, ``responses`` by status, ``throttled`` (429s by
        kind), ``faults`` by kind and ``internal_errors`` (a bug if ever not 0)."""
        return self.app.stats()

    @property
    def stats_url(self) -> str:
        """The status endpoint, outside the API: no auth, no faults, not counted."""
        return self.base_url[: -len(API_PREFIX)] + STATS_PATH

    def set_faults(self, fault_rate: float, fault_kinds: Optional[Sequence[str]] = None) -> None:
        """Change fault injection while running, e.g. only while a test waits. Kinds default to the current ones."""
        kinds = tuple(fault_kinds) if fault_kinds is not None else self.config.fault_kinds
        self.config = replace(self.config, fault_rate=fault_rate, fault_kinds=kinds)  # validates
        self.app.configure_faults(self.config.fault_rate, self.config.fault_kinds)

    @property
    def operations(self) -> List[Dict[str, Any]]:
        """A snapshot of the bulk operations still kept: status fields plus account_id, list_id and action."""
        return self.state.operations()

    def use_list(self, name: str, filters: int = 1, account_id: Optional[str] = None) -> None:
        """Have ``filters`` rules use the list ``name`` (the emulator has no rules of its own)."""
        self.state.use_list(account_id or self.config.account_id, name, filters)

    def lists(self, account_id: Optional[str] = None) -> Dict[str, Dict[str, Any]]:
        """A snapshot of an account's lists (default: the configured account) with their items, by list name."""
        return self.state.lists(account_id or self.config.account_id)


def _build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="cloudflare-lists emulator",
        description=(
            "Serve a Cloudflare Rules Lists API emulator on loopback. Prints the base URL as the first line on "
            "stdout, then serves until SIGINT or SIGTERM."
        ),
    )
    parser.add_argument("--host", default=defaults.host, help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port; 0 picks a free one (default: 0)")
    parser.add_argument(
        "--token",
        default=None,
        help=f"Bearer API token clients must send. With no credential option at all, the well-known {DEFAULT_TOKEN} "
        f"and {DEFAULT_EMAIL} / {DEFAULT_API_KEY} work; giving --token disables the legacy pair unless "
        "--email/--api-key are given too, and the other way round",
    )
    parser.add_argument("--email", default=None, help="legacy X-Auth-Email, with --api-key")
    parser.add_argument("--api-key", default=None, help="legacy X-Auth-Key, with --email")
    parser.add_argument(
        "--account-id",
        default=defaults.account_id,
        help="account shown at start-up; any 32-hex account id works and has its own lists",
    )
    parser.add_argument(
        "--pending-seconds",
        type=float,
        default=defaults.pending_seconds,
        metavar="S",
        help="how long a bulk operation stays pending (default: %(default)s)",
    )
    parser.add_argument(
        "--running-seconds",
        type=float,
        default=defaults.running_seconds,
        metavar="S",
        help="then how long it stays running (default: %(default)s)",
    )
    parser.add_argument(
        "--max-items",
        type=int,
        default=defaults.max_items_per_account,
        metavar="N",
        help="items across all lists of an account; an operation that would exceed it fails (default: %(default)s)",
    )
    parser.add_argument(
        "--item-errors",
        choices=ITEM_ERROR_MODES,
        default=defaults.item_errors,
        help="an invalid item fails the bulk operation, or gets a 400 at once (default: %(default)s)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=defaults.max_body_bytes,
        metavar="N",
        help="larger request bodies get 413 (default: %(default)s)",
    )
    parser.add_argument(
        "--socket-timeout",
        type=float,
        default=defaults.socket_timeout_seconds,
        metavar="S",
        help="close a connection that sends nothing for this long (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=defaults.rate_limit,
        metavar="N",
        help="requests per credential per window (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-window",
        type=float,
        default=defaults.rate_window_seconds,
        metavar="S",
        help="sliding rate-limit window (default: %(default)s)",
    )
    parser.add_argument(
        "--fault-rate", type=float, default=defaults.fault_rate, metavar="F", help="fraction of responses faulted"
    )
    parser.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        metavar="A,B",
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=defaults.slow_seconds,
        metavar="S",
        help="delay of a slow fault (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible faults")
    parser.add_argument(
        "--operation-ttl",
        type=float,
        default=defaults.operation_ttl_seconds,
        metavar="S",
        help="how long finished bulk operations stay readable, then 404 (default: %(default)s)",
    )
    parser.add_argument(
        "--preserve-path-suffix-default",
        choices=("true", "false"),
        default=str(defaults.preserve_path_suffix_default).lower(),
        help="what a redirect written without preserve_path_suffix gets: Cloudflare's docs page says true, its "
        "2024 OpenAPI schema false (default: %(default)s)",
    )
    parser.add_argument(
        "--quota-item-changes",
        type=int,
        default=defaults.write_quota_item_changes,
        metavar="N",
        help="list item changes per account per quota window; a PUT counts every item removed and added "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--quota-write-requests",
        type=int,
        default=defaults.write_quota_requests,
        metavar="N",
        help="item-writing requests per account per quota window (default: %(default)s)",
    )
    parser.add_argument(
        "--quota-window",
        type=float,
        default=defaults.write_quota_window_seconds,
        metavar="S",
        help="the write quotas' sliding window; past a quota a write gets 429 (default: %(default)s, 12 hours)",
    )
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    return parser


def _config_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> EmulatorConfig:
    if (args.email is None) != (args.api_key is None):
        parser.error("--email and --api-key go together")
    try:
        return EmulatorConfig(
            host=args.host,
            port=args.port,
            # None for all three means the well-known test credentials (see EmulatorConfig).
            token=args.token,
            email=args.email,
            api_key=args.api_key,
            account_id=args.account_id,
            pending_seconds=args.pending_seconds,
            running_seconds=args.running_seconds,
            max_items_per_account=args.max_items,
            item_errors=args.item_errors,
            max_body_bytes=args.max_body_bytes,
            socket_timeout_seconds=args.socket_timeout,
            rate_limit=args.rate_limit,
            rate_window_seconds=args.rate_window,
            fault_rate=args.fault_rate,
            fault_kinds=tuple(kind.strip() for kind in args.fault_kinds.split(",") if kind.strip()),
            slow_seconds=args.slow_seconds,
            seed=args.seed,
            operation_ttl_seconds=args.operation_ttl,
            preserve_path_suffix_default=args.preserve_path_suffix_default == "true",
            write_quota_item_changes=args.quota_item_changes,
            write_quota_requests=args.quota_write_requests,
            write_quota_window_seconds=args.quota_window,
        )
    except ValueError as exc:
        parser.error(str(exc))


def _describe_auth(args: argparse.Namespace) -> str:
    if args.token is None and args.email is None:
        return "Bearer token and X-Auth-Email/X-Auth-Key: the built-in defaults (see --help)"
    token = "configured (--token)" if args.token is not None else "disabled"
    legacy = "configured (--email/--api-key)" if args.email is not None else "disabled"
    return f"Bearer token {token}; X-Auth-Email/X-Auth-Key {legacy}"


def stats_line(stats: Dict[str, Any]) -> str:
    """One line: requests served, 429s by kind and item writes, e.g. for the end of a run."""
    throttled = ", ".join(f"{kind} {count}" for kind, count in stats["throttled"].items())
    line = f"cloudflare-lists emulator: served {stats['requests']} requests; 429s: {throttled}"
    writes = list(stats.get("writes", {}).values())
    if writes:
        requests = sum(account["requests"] for account in writes)
        changes = sum(account["item_changes"] for account in writes)
        line += f"; item writes: {requests} requests, {changes} item changes"
    if stats["internal_errors"]:
        line += f"; internal errors: {stats['internal_errors']}"
    return line


def main(argv: Optional[List[str]] = None) -> int:
    """Run the emulator until SIGINT or SIGTERM. The first stdout line is the base URL; credentials never print."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    config = _config_from_args(parser, args)
    # A long-running command can afford a slower stop in exchange for fewer idle wake-ups.
    emulator = Emulator(config, log=stderr_log if args.verbose else None, poll_interval=0.25)
    try:
        emulator.start()
    except OSError as exc:
        print(f"cloudflare-lists emulator: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def request_stop(signum: int, frame: Optional[FrameType]) -> None:
        stop.set()

    previous: Dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    try:
        print(emulator.base_url, flush=True)
        print(
            f"cloudflare-lists emulator: account {config.account_id}; {_describe_auth(args)}; "
            f"stats at {emulator.stats_url}; stop with Ctrl-C or SIGTERM",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        for restored, handler in previous.items():
            signal.signal(restored, handler)
    print(stats_line(emulator.stats()), file=sys.stderr, flush=True)
    return 0
