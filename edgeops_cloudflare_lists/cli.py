"""The ``cloudflare-lists`` command: a thin layer over the core.

Facts go to stdout as JSON; progress and the one-line error go to stderr. Credentials come only
from the environment, so they never show in a process list or shell history.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any, Callable, Dict, Optional, Sequence, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import environment_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT, CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.operations import (
    get_bulk_operation,
    open_client,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import neutralize, scrub
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    MAX_MAX_INTERVAL,
    MAX_REQUEST_TIMEOUT,
    MAX_WAIT_TIMEOUT,
    MIN_MAX_INTERVAL,
    validate_ids,
    validate_max_interval,
    validate_request_timeout,
    validate_wait_timeout,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import VERSION
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    WaitPolicy,
    WaitProgress,
)

EXIT_OK = 0
EXIT_OPERATION_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_API = 4
EXIT_OUTPUT = 5
EXIT_INTERRUPTED = 130

PROG = "cloudflare-lists"
ENVIRONMENT_HELP = """\
credentials (from the environment only):
  CLOUDFLARE_API_TOKEN            an API token with 'Account Filter Lists Read' (preferred)
  CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY
                                  or the legacy email and global API key, together
  CLOUDFLARE_BASE_URL             API base URL (default https://api.cloudflare.com/client/v4)

exit codes:
  0 reported, or completed    1 the operation failed    2 usage or validation error
  3 the wait timed out        4 API or transport error (auth, not found, rate limited, server, malformed)
  5 the facts could not be written to stdout (full, or a broken pipe)    130 interrupted
"""


def _seconds(validate: Callable[[float], float]) -> Callable[[str], float]:
    """An argparse type: a number of seconds within the core's bounds, so a flag is refused naming the flag."""

    def parse(text: str) -> float:
        try:
            return validate(float(text))
        except ValueError as exc:  # float() failed, or the core's ValidationError (a ValueError too)
            problem = getattr(exc, "problem", None) or f"expected a number of seconds, got {text!r}"
            raise argparse.ArgumentTypeError(problem) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Report on, or wait for, a Cloudflare Rules Lists bulk operation.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def operation_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=ENVIRONMENT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("account_id", metavar="ACCOUNT_ID", help="the 32-hex-character Cloudflare account ID")
        sub.add_argument("operation_id", metavar="OPERATION_ID", help="the operation_id a list items write returned")
        sub.add_argument("--base-url", help="API base URL (default: $CLOUDFLARE_BASE_URL, else Cloudflare's)")
        sub.add_argument(
            "--request-timeout",
            type=_seconds(validate_request_timeout),
            default=DEFAULT_TIMEOUT,
            metavar="SECONDS",
            help="the most one HTTP request may take, connect to last byte (default %(default)g, at most "
            f"{MAX_REQUEST_TIMEOUT:g})",
        )
        sub.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (test endpoints only)")
        return sub

    operation_command("status", "Check an operation once and print its facts, whatever its status.")
    wait = operation_command("wait", "Wait until an operation completes, then print its facts.")
    wait.add_argument(
        "--timeout",
        type=_seconds(validate_wait_timeout),
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up after this long (default %(default)g, at most {MAX_WAIT_TIMEOUT:g}; 0 checks once)",
    )
    wait.add_argument(
        "--max-interval",
        type=_seconds(validate_max_interval),
        default=DEFAULT_MAX_INTERVAL,
        metavar="SECONDS",
        help="longest pause between checks, so completion is seen at most this late (default %(default)g, "
        f"from {MIN_MAX_INTERVAL:g} to {MAX_MAX_INTERVAL:g})",
    )
    progress = wait.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show progress on stderr (default: only on a terminal)",
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    wait.add_argument(
        "--label",
        default="",
        metavar="TEXT",
        help="start each progress line with TEXT (default: the operation id), to tell several waits apart",
    )
    commands.add_parser(
        "emulator",
        help="Serve a local Cloudflare Lists API emulator (see 'cloudflare-lists emulator --help').",
        add_help=False,
    )
    return parser


MAX_LABEL_CHARS = 40


def in_foreground(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal this process owns: not a file or a pipe, nor the terminal of a wait
    started in the background (``&``), whose line others would overwrite."""
    try:
        if not stream.isatty():
            return False
        return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
    except (AttributeError, OSError, ValueError):
        return False


class ProgressLine:
    """Progress on stderr, every line starting with ``label`` (``--label``, else the operation id).

    On a terminal this process has in the foreground: one line rewritten in place, counting the seconds down to the
    next check. Elsewhere (a file, a pipe, a wait running in the background of a terminal, beside others): one
    whole line per check, so several waits never overwrite each other.

    ``sleep`` is the one the waiter sleeps with: between checks, it ticks the countdown once a second.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        in_place: Optional[bool] = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream = stream
        self.label = neutralize(label)[:MAX_LABEL_CHARS]
        self.in_place = in_foreground(stream) if in_place is None else in_place
        self.clock = clock
        self._sleep = sleep
        self.shown = False
        self.broken = False
        self._line = ""  # the last line, without its countdown
        self._counting = False  # the next sleep is the pause before the next check

    def __call__(self, progress: WaitProgress) -> None:
        status = progress.facts.status if progress.facts else "unknown"
        self._line = f"{self.label}: {status} after {progress.elapsed:.1f} s, check {progress.checks}"
        if progress.transient_error:
            self._line += " (API trouble, retrying)"
        self._counting = progress.next_check_in is not None
        self._show(progress.next_check_in)

    def sleep(self, seconds: float) -> None:
        if not (self._counting and self.in_place):
            self._sleep(seconds)  # a pause off a terminal, or a retry's within a check
            return
        self._counting = False
        end = self.clock() + seconds
        remaining = seconds
        while remaining > 0:
            self._sleep(min(remaining, remaining - math.ceil(remaining) + 1))  # to the next whole second
            remaining = end - self.clock()
            if remaining > 0:
                self._show(remaining)

    def close(self) -> None:
        if self.shown and self.in_place:
            self._write("\n")

    def _show(self, next_check_in: Optional[float]) -> None:
        text = self._line
        if next_check_in is not None:
            text += f", next check in {round(next_check_in, 1):g} s"
        self._write("\r\033[K" + text if self.in_place else text + "\n")
        self.shown = True

    def _write(self, text: str) -> None:
        if self.broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr full or gone: progress is not worth failing the wait for
            self.broken = True


class OutputError(Exception):
    """stdout did not take the facts: it is closed or full, or its pipe is broken."""


def _print_facts(facts: Optional[BulkOperationFacts], stdout: Optional[TextIO]) -> None:
    if facts is None:
        return
    if stdout is None:
        raise OutputError("it is closed")
    try:
        stdout.write(json.dumps(facts.to_dict(), indent=2, sort_keys=True) + "\n")
        stdout.flush()
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        raise OutputError(exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed") from None


def _say(stderr: Optional[TextIO], line: str) -> None:
    """One line on stderr, if stderr can take it: there is nowhere else to report that it cannot."""
    try:
        if stderr is not None:
            stderr.write(line + "\n")
            stderr.flush()
    except (OSError, ValueError):
        pass


def _output_failed(stderr: Optional[TextIO], problem: OutputError) -> None:
    _say(
        stderr,
        f"{PROG}: error: could not write the facts to stdout: {problem}. Send stdout to a file or a pipe that "
        "takes them (a full disk or a reader that went away loses them).",
    )


def _exit_code(error: CloudflareListsError) -> int:
    if isinstance(error, ValidationError):
        return EXIT_USAGE
    if isinstance(error, OperationFailedError):
        return EXIT_OPERATION_FAILED
    if isinstance(error, WaitTimeoutError):
        return EXIT_TIMEOUT
    return EXIT_API


def _one_line(text: str) -> str:
    """One line for stderr, whatever the message carries (the core already neutralizes server text)."""
    return neutralize(" ".join(text.split()))


def run(
    argv: Sequence[str],
    *,
    stdout: Optional[TextIO],
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient] = open_client,
) -> int:
    args = build_parser().parse_args(argv)
    if stdout is None:  # closed before we started: say so before anything is sent
        _say(
            stderr,
            f"{PROG}: error: stdout is closed, and the facts are written there; send it to a file or /dev/null "
            "instead of closing it.",
        )
        return EXIT_USAGE
    progress: Optional[ProgressLine] = None
    try:
        validate_ids(args.account_id, args.operation_id)
        if args.insecure:
            _say(
                stderr,
                f"{PROG}: warning: --insecure: TLS certificates are not verified, so anyone on the path can read "
                "and answer these requests; use it only for a test endpoint.",
            )
        options: Dict[str, Any] = {
            "base_url": args.base_url,
            "timeout": args.request_timeout,
            "validate_certs": not args.insecure,
        }
        if args.command == "wait" and stderr is not None:
            show = stderr.isatty() if args.progress is None else args.progress
            progress = ProgressLine(stderr, args.label or args.operation_id) if show else None
        if progress is not None:
            options["sleep"] = progress.sleep
        with client_factory(**options) as client:
            if args.command == "status":
                _print_facts(get_bulk_operation(client, args.account_id, args.operation_id), stdout)
                return EXIT_OK
            policy = WaitPolicy(timeout=args.timeout, max_interval=args.max_interval)
            outcome = wait_for_bulk_operation(client, args.account_id, args.operation_id, policy, progress)
            if progress is not None:
                progress.close()
            _print_facts(outcome.facts, stdout)
            return EXIT_OK
    except CloudflareListsError as error:
        if progress is not None:
            progress.close()
        try:
            _print_facts(error.facts, stdout)
        except OutputError as problem:
            _output_failed(stderr, problem)
        _say(stderr, f"{PROG}: error: {_one_line(str(error))}")
        return _exit_code(error)
    except OutputError as problem:
        _output_failed(stderr, problem)
        return EXIT_OUTPUT


def _settle_stdout() -> None:
    """If stdout cannot be flushed, point it at /dev/null, so the interpreter's own flush at exit does not
    print "Exception ignored" and change the exit code."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["emulator"]:
            from edgeops_cloudflare_lists import emulator

            return emulator.main(args[1:])
        return run(args, stdout=sys.stdout, stderr=sys.stderr)
    except KeyboardInterrupt:
        _say(sys.stderr, f"\n{PROG}: interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # The last line of defence: one line, never a traceback, never a credential.
        detail = _one_line(scrub(str(error), environment_secrets()))[:200]
        _say(sys.stderr, f"{PROG}: error: unexpected {type(error).__name__}: {detail}. Please report this bug.")
        return EXIT_API
    finally:
        _settle_stdout()


if __name__ == "__main__":
    sys.exit(main())
