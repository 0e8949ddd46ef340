"""What the command writes: the result as JSON on stdout, lines on stderr, and the exit codes.

``print_json`` and ``say`` are the only ways out: whatever they write is scrubbed of every credential the process
knows (a server may echo one into a list, an item or a message), and what goes to stderr, a terminal, is
neutralized line by line (server and user text cannot move the cursor, retitle the window or reorder text).
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    CloudflareListsError,
    Interrupted,
    OperationFailedError,
    RetryLaterError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import neutralize, sanitize, scrub

PROG = "cloudflare-lists"

EXIT_OK = 0
EXIT_OPERATION_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_API = 4
EXIT_OUTPUT = 5
EXIT_CHANGES = 6  # with --detailed-exitcode: done, and the list changed (or, in a dry run, would)
EXIT_INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM: what a CI runner sends on cancel or timeout
# The exit code of a run a signal ended, by the signal's name.
INTERRUPT_EXIT_CODES = {"SIGINT": EXIT_INTERRUPTED, "SIGTERM": EXIT_TERMINATED}


# What a request ends with when the deadline leaves it no more time: cut off, or not retried.
CUT_BY_DEADLINE = (TransportError, RetryLaterError, AmbiguousWriteError)


class OutputError(Exception):
    """stdout did not take the result: it is closed or full, or its pipe is broken."""


def print_json(document: Any, stdout: Optional[TextIO]) -> None:
    """``document`` on stdout, indented."""
    write_json_text(json_text(document), stdout)


def json_text(document: Any) -> str:
    """What ``print_json`` writes for ``document``: made apart, so that making it can be done again."""
    return scrub(json.dumps(document, indent=2, sort_keys=True)) + "\n"


def write_json_text(text: str, stdout: Optional[TextIO]) -> None:
    """``text`` from ``json_text`` on stdout."""
    _write_scrubbed(text, stdout)


def print_json_line(document: Any, stdout: Optional[TextIO]) -> None:
    """``document`` on stdout as one line, for a stream of results."""
    _write(json.dumps(document, sort_keys=True), stdout)


def _write(text: str, stdout: Optional[TextIO]) -> None:
    _write_scrubbed(scrub(text) + "\n", stdout)


def _write_scrubbed(text: str, stdout: Optional[TextIO]) -> None:
    if stdout is None:
        raise OutputError("it is closed")
    try:
        stdout.write(text)
        stdout.flush()
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        raise OutputError(exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed") from None


# Moves to the start of the line and clears it: how a progress line on a terminal rewrites itself.
REWRITE_LINE = "\r\033[K"


def say(stderr: Optional[TextIO], text: str, *, rewrite: bool = False) -> None:
    """One line on stderr, scrubbed and neutralized (a line break inside it is shown, not obeyed), if stderr can
    take it: there is nowhere else to report that it cannot. ``rewrite``: in place of the line the cursor is on
    (a progress line on a terminal), without ending it."""
    say_lines(stderr, [text], rewrite=rewrite)


def say_lines(stderr: Optional[TextIO], lines: Sequence[str], *, rewrite: bool = False) -> None:
    """Several lines on stderr, each as ``say`` writes one."""
    text = "\n".join(sanitize(line) for line in lines)
    try:
        if stderr is not None:
            stderr.write(REWRITE_LINE + text if rewrite else text + "\n")
            stderr.flush()
    except (OSError, ValueError):
        pass


def start_line(stderr: Optional[TextIO]) -> None:
    """On a terminal, end the line the cursor is on, so what follows starts a line of its own."""
    try:
        if stderr is not None and stderr.isatty():
            say(stderr, "")
    except (OSError, ValueError):
        pass


def warn(stderr: Optional[TextIO], message: str) -> None:
    """One warning line on stderr."""
    say(stderr, f"{PROG}: warning: {one_line(message)}")


def output_failed(stderr: Optional[TextIO], problem: OutputError) -> None:
    say(
        stderr,
        f"{PROG}: error: could not write the result to stdout: {problem}. Send stdout to a file or a pipe that "
        "takes it (a full disk or a reader that went away loses it).",
    )


def exit_code(error: CloudflareListsError, *, deadline_passed: bool = False) -> int:
    """The exit code of a run that ended with ``error``; ``deadline_passed``: the command's ``--timeout`` had passed
    when it did, so a request cut off (or refused a retry) at the deadline is the timeout's, 3."""
    if isinstance(error, Interrupted):
        return INTERRUPT_EXIT_CODES.get(error.signal_name, EXIT_INTERRUPTED)
    if isinstance(error, ValidationError):
        return EXIT_USAGE
    if isinstance(error, OperationFailedError):
        return EXIT_OPERATION_FAILED
    if isinstance(error, WaitTimeoutError) or (deadline_passed and isinstance(error, CUT_BY_DEADLINE)):
        return EXIT_TIMEOUT
    return EXIT_API


def one_line(text: str) -> str:
    """One line for stderr, whatever the message carries (the core already neutralizes server text)."""
    return neutralize(" ".join(text.split()))
