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

from .app import API_PREFIX, EmulatorApp, stderr_log
from .config import DEFAULT_API_KEY, DEFAULT_EMAIL, DEFAULT_TOKEN, FAULT_KINDS, EmulatorConfig
from .state import ListsState


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's per-request log lines go away; the app logs one short line per request when verbose."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass


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
                request_handler=_QuietRequestHandler,
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

    def set_faults(self, fault_rate: float, fault_kinds: Optional[Sequence[str]] = None) -> None:
        """Change fault injection while running, e.g. only while a test waits. Kinds default to the current ones."""
        kinds = tuple(fault_kinds) if fault_kinds is not None else self.config.fault_kinds
        self.config = replace(self.config, fault_rate=fault_rate, fault_kinds=kinds)  # validates
        self.app.configure_faults(self.config.fault_rate, self.config.fault_kinds)

    @property
    def operations(self) -> List[Dict[str, Any]]:
        """A snapshot of the bulk operations still kept: status fields plus account_id, list_id and action."""
        return self.state.operations()

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
        "--token", default=DEFAULT_TOKEN, help=f"Bearer API token clients must send (default: {DEFAULT_TOKEN})"
    )
    parser.add_argument("--email", default=None, help=f"legacy X-Auth-Email, with --api-key (default: {DEFAULT_EMAIL})")
    parser.add_argument("--api-key", default=None, help=f"legacy X-Auth-Key, with --email (default: {DEFAULT_API_KEY})")
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
        default=defaults.max_items_per_list,
        metavar="N",
        help="items per list; an operation that would exceed it fails (default: %(default)s)",
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
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    return parser


def _config_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> EmulatorConfig:
    if (args.email is None) != (args.api_key is None):
        parser.error("--email and --api-key go together")
    legacy = (args.email, args.api_key) if args.email is not None else (DEFAULT_EMAIL, DEFAULT_API_KEY)
    try:
        return EmulatorConfig(
            host=args.host,
            port=args.port,
            token=args.token,
            email=legacy[0],
            api_key=legacy[1],
            account_id=args.account_id,
            pending_seconds=args.pending_seconds,
            running_seconds=args.running_seconds,
            max_items_per_list=args.max_items,
            rate_limit=args.rate_limit,
            rate_window_seconds=args.rate_window,
            fault_rate=args.fault_rate,
            fault_kinds=tuple(kind.strip() for kind in args.fault_kinds.split(",") if kind.strip()),
            slow_seconds=args.slow_seconds,
            seed=args.seed,
            operation_ttl_seconds=args.operation_ttl,
        )
    except ValueError as exc:
        parser.error(str(exc))


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
        token_source = "configured (--token)" if args.token != DEFAULT_TOKEN else "built-in default (see --help)"
        legacy_source = "configured (--email/--api-key)" if args.email else "built-in default (see --help)"
        print(
            f"cloudflare-lists emulator: account {config.account_id}; Bearer token {token_source}; "
            f"X-Auth-Email/X-Auth-Key {legacy_source}; stop with Ctrl-C or SIGTERM",
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
    return 0
