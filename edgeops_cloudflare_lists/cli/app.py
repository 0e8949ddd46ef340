"""Running the command: parse, read the input, open one client, dispatch, and turn every error into an exit code."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TextIO, TypeVar

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import environment_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import SharedStateWarning

from . import lists, operations, signals, sync
from .documents import failure_document
from .files import read_items_file, read_saved_plan
from .invocation import Invocation
from .output import (
    EXIT_API,
    EXIT_OUTPUT,
    EXIT_USAGE,
    PROG,
    OutputError,
    exit_code,
    json_text,
    one_line,
    output_failed,
    say,
    say_lines,
    start_line,
    warn,
    write_json_text,
)
from .parser import UsageError, build_parser, given_positionals, parameter_names, positionals
from .progress import progress_line

Command = Callable[[CloudflareClient, Invocation], int]
T = TypeVar("T")
COMMANDS: Dict[str, Command] = {
    "status": operations.status,
    "wait": operations.wait,
    "lists": lists.lists,
    "items": lists.items,
    "create": lists.create,
    "update": lists.update,
    "delete": lists.delete,
    "sync": sync.sync,
    "apply": sync.apply,
}


def run(
    argv: Sequence[str],
    *,
    stdout: Optional[TextIO],
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient] = open_client,
    environ: Optional[Mapping[str, str]] = None,
) -> int:
    with warnings.catch_warnings():
        # The core's warnings (shared state it could not use) as the command's own, one line each, when they occur.
        warnings.simplefilter("always", SharedStateWarning)
        warnings.showwarning = lambda message, *_details, **_options: warn(stderr, str(message))
        return _run(argv, stdout=stdout, stderr=stderr, client_factory=client_factory, environ=environ)


def _run(
    argv: Sequence[str],
    *,
    stdout: Optional[TextIO],
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient],
    environ: Optional[Mapping[str, str]],
) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as usage:
        return _usage_failed(usage, argv, stdout, stderr)
    if stdout is None:  # closed before we started: say so before anything is sent
        say(
            stderr,
            f"{PROG}: error: stdout is closed, and the result is written there; send it to a file or /dev/null "
            "instead of closing it.",
        )
        return EXIT_USAGE
    # For a failure's document, before they are checked; a wait on several operations names none of its own.
    given: Mapping[str, Optional[str]] = {} if operations.is_batch(args) else given_positionals(args)
    timeout = getattr(args, "timeout", None)
    deadline = time.monotonic() + timeout if timeout is not None else None  # the whole command's
    invocation: Optional[Invocation] = None
    try:
        if operations.is_batch(args):
            return operations.wait_many(args, environ, stdout, stderr, client_factory)
        saved = read_saved_plan(args.plan_file, sys.stdin) if args.command == "apply" else None
        if saved is not None:
            found = {"account_id": saved.account_id, "list": saved.list_id or saved.list_name}
        else:
            found = positionals(args, environ)
        given = found
        items = read_items_file(args, stdin=sys.stdin) if args.command == "sync" else None
        if args.insecure:
            warn(
                stderr,
                "--insecure: TLS certificates are not verified, so anyone on the path can read and answer these "
                "requests; use it only for a test endpoint.",
            )
        invocation = Invocation(args, found, stdout, stderr, progress_line(args, stderr, found), items, saved)
        options: Dict[str, Any] = {
            "base_url": args.base_url,
            "timeout": args.request_timeout,
            "validate_certs": not args.insecure,
        }
        if invocation.progress is not None:
            options["clock"] = invocation.progress.countdown_clock()  # the pause before each check counts down
        with client_factory(**options) as client:
            return COMMANDS[args.command](client, invocation)
    except CloudflareListsError as error:
        code = exit_code(error, deadline_passed=deadline is not None and time.monotonic() >= deadline)
        return _failed(error, code, args, given, invocation, stdout, stderr)
    except KeyboardInterrupt as interrupt:  # SIGINT, or SIGTERM once main() has made it one (signals.py)
        if invocation is None or not invocation.progress_ends_line():
            start_line(stderr)  # a terminal echoed ^C where the cursor was
        stopped = signals.interrupted(interrupt, args, given, invocation)
        return _failed(stopped, exit_code(stopped), args, given, invocation, stdout, stderr)
    except OutputError as problem:
        output_failed(stderr, problem)
        return EXIT_OUTPUT


def _failed(
    error: CloudflareListsError,
    code: int,
    args: argparse.Namespace,
    given: Mapping[str, Optional[str]],
    invocation: Optional[Invocation],
    stdout: Optional[TextIO],
    stderr: Optional[TextIO],
) -> int:
    """A run that ended with ``error``: its document on stdout, its one line on stderr, and ``code``.

    A first signal meanwhile cuts short only the line it arrives in: the error's document is still written, and
    the exit code becomes the signal's (a second signal ends the process at once, see signals.py)."""
    signalled: List[int] = []
    if invocation is not None:
        try:
            invocation.close_progress()
            if args.command in ("sync", "apply"):
                sync.say_failed_plan(invocation, given.get("list"), error.partial)
        except KeyboardInterrupt as interrupt:
            signalled.append(signals.exit_code(interrupt))
    names = parameter_names(args)
    document = _made_despite_a_signal(lambda: failure_document(args, given, error, names, code), signalled)
    code = _print_failure(document, stdout, stderr, signalled[-1] if signalled else code)
    try:
        say(stderr, f"{PROG}: error: {one_line(error.render(names))}")
    except KeyboardInterrupt as interrupt:
        code = signals.exit_code(interrupt)
    return code


def _print_failure(
    document: Optional[Dict[str, Any]], stdout: Optional[TextIO], stderr: Optional[TextIO], code: int
) -> int:
    """The failure's document on stdout (if the command has one), and ``code``; the signal's exit code instead if
    a first one arrives meanwhile, the document written all the same."""
    signalled: List[int] = []
    try:
        if document is not None:
            text = _made_despite_a_signal(lambda: json_text(document), signalled)
            try:
                write_json_text(text, stdout)
            except KeyboardInterrupt as interrupt:  # amid the write: what it had buffered still goes out
                signalled.append(signals.exit_code(interrupt))
                write_json_text("", stdout)
    except OutputError as problem:
        output_failed(stderr, problem)
    return signalled[-1] if signalled else code


def _made_despite_a_signal(make: Callable[[], T], signalled: List[int]) -> T:
    """``make()``, made again if a first signal cut it short (making has no effect to repeat), that signal's exit
    code added to ``signalled``. A second signal ends the process at once (signals.py)."""
    try:
        return make()
    except KeyboardInterrupt as interrupt:
        signalled.append(signals.exit_code(interrupt))
        return make()


def _usage_failed(usage: UsageError, argv: Sequence[str], stdout: Optional[TextIO], stderr: Optional[TextIO]) -> int:
    """What argparse does with a bad command line (usage and error on stderr, exit 2), plus the document."""
    try:
        if stderr is not None:
            usage.parser.print_usage(stderr)
    except (OSError, ValueError):
        pass
    say(stderr, f"{usage.parser.prog}: error: {usage.message}")
    command = next((word for word in argv if not word.startswith("-")), None)
    args = argparse.Namespace(command=command, dry_run=any(word in ("--dry-run", "--check") for word in argv))
    return _print_failure(failure_document(args, {}, usage, {}, EXIT_USAGE), stdout, stderr, EXIT_USAGE)


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
    """The process entry point: also ends on SIGTERM as on Ctrl-C, with the command's failure document."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["emulator"]:
            from edgeops_cloudflare_lists import emulator

            return emulator.main(args[1:])
        with signals.interrupts_raised():
            return run(args, stdout=sys.stdout, stderr=sys.stderr)
    except KeyboardInterrupt as interrupt:  # before or after the command's own failure path
        say_lines(sys.stderr, ["", f"{PROG}: interrupted by {signals.signal_name(interrupt)}"])
        return signals.exit_code(interrupt)
    except Exception as error:  # The last line of defence: one line, never a traceback, never a credential.
        detail = one_line(scrub(str(error), environment_secrets()))[:200]
        say(sys.stderr, f"{PROG}: error: unexpected {type(error).__name__}: {detail}. Please report this bug.")
        return EXIT_API
    finally:
        _settle_stdout()
