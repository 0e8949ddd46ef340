"""Running the command: parse, read the input, open one client, dispatch, and turn every error into an exit code."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import environment_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.operations import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import SharedStateWarning

from . import lists, operations, sync
from .files import read_items_file
from .invocation import Invocation
from .output import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_USAGE,
    PROG,
    OutputError,
    exit_code,
    one_line,
    output_failed,
    print_json,
    say,
    say_lines,
    warn,
)
from .parser import build_parser, parameter_names, positionals
from .progress import progress_line

Command = Callable[[CloudflareClient, Invocation], int]
COMMANDS: Dict[str, Command] = {
    "status": operations.status,
    "wait": operations.wait,
    "lists": lists.lists,
    "items": lists.items,
    "create": lists.create,
    "update": lists.update,
    "delete": lists.delete,
    "sync": sync.sync,
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
    args = build_parser().parse_args(argv)
    if stdout is None:  # closed before we started: say so before anything is sent
        say(
            stderr,
            f"{PROG}: error: stdout is closed, and the result is written there; send it to a file or /dev/null "
            "instead of closing it.",
        )
        return EXIT_USAGE
    invocation: Optional[Invocation] = None
    try:
        if operations.is_batch(args):
            return operations.wait_many(args, environ, stdout, stderr, client_factory)
        found = positionals(args, environ)
        items = read_items_file(args, stdin=sys.stdin) if args.command == "sync" else None
        if args.insecure:
            warn(
                stderr,
                "--insecure: TLS certificates are not verified, so anyone on the path can read and answer these "
                "requests; use it only for a test endpoint.",
            )
        invocation = Invocation(args, found, stdout, stderr, progress_line(args, stderr, found), items)
        options: Dict[str, Any] = {
            "base_url": args.base_url,
            "timeout": args.request_timeout,
            "validate_certs": not args.insecure,
        }
        if invocation.progress is not None:
            options["sleep"] = invocation.progress.sleep  # the pause before each check counts down on a terminal
        with client_factory(**options) as client:
            return COMMANDS[args.command](client, invocation)
    except CloudflareListsError as error:
        if invocation is not None:
            invocation.close_progress()
        try:
            if error.facts is not None:
                print_json(error.facts.to_dict(), stdout)
        except OutputError as problem:
            output_failed(stderr, problem)
        say(stderr, f"{PROG}: error: {one_line(error.render(parameter_names(args)))}")
        return exit_code(error)
    except OutputError as problem:
        output_failed(stderr, problem)
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
        say_lines(sys.stderr, ["", f"{PROG}: interrupted"])
        return EXIT_INTERRUPTED
    except Exception as error:  # The last line of defence: one line, never a traceback, never a credential.
        detail = one_line(scrub(str(error), environment_secrets()))[:200]
        say(sys.stderr, f"{PROG}: error: unexpected {type(error).__name__}: {detail}. Please report this bug.")
        return EXIT_API
    finally:
        _settle_stdout()
