"""The signals that end the command as a failure: SIGINT (Ctrl-C) and SIGTERM (what a CI runner sends on cancel or
timeout). Either is raised where the command is, as ``Interrupt``, so it ends through the same path as any error:
its document on stdout, one line on stderr, and exit 128 plus the signal's number (130, 143).

Only the process entry point (``app.main``) installs the handlers; a command run in-process sees Python's own
``KeyboardInterrupt`` for Ctrl-C, taken as SIGINT.
"""

from __future__ import annotations

import argparse
import signal
from contextlib import contextmanager
from types import FrameType
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import Interrupted

from .invocation import Invocation
from .output import INTERRUPT_EXIT_CODES

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupt(KeyboardInterrupt):
    """``signal_name`` arrived; a ``KeyboardInterrupt``, so no ``except Exception`` on the way catches it."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def signal_name(interrupt: KeyboardInterrupt) -> str:
    """The signal behind ``interrupt``: a plain ``KeyboardInterrupt`` is Python's own Ctrl-C."""
    return interrupt.signal_name if isinstance(interrupt, Interrupt) else "SIGINT"


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return INTERRUPT_EXIT_CODES[signal_name(interrupt)]


# What each command is doing while it runs, for the message of a run a signal ends; {} is the list.
DOING = {
    "status": "checking a bulk operation",
    "wait": "waiting on a bulk operation",
    "lists": "reading the account's lists",
    "items": "reading the items of list {}",
    "sync": "syncing list {}",
    "apply": "applying a saved plan to list {}",
    "create": "creating list {}",
    "update": "updating list {}",
    "delete": "deleting list {}",
}
WRITING_COMMANDS = ("sync", "apply", "create", "update", "delete")
# How many of a wait's still pending operations an interrupt's message names.
NAMED_PENDING = 5


def interrupted(
    interrupt: KeyboardInterrupt,
    args: argparse.Namespace,
    given: Mapping[str, Optional[str]],
    invocation: Optional[Invocation],
    *,
    pending: Sequence[Tuple[str, Optional[str]]] = (),
) -> Interrupted:
    """The core's error for a run that ``interrupt`` ended: what it was doing, whether it may have sent a write
    (a write command past reading its input, not a dry run), the operation it waited on, if one is known, and
    (``partial``) what a sync had done by then. ``pending``: a wait on several operations' unfinished ones,
    ``ACCOUNT_ID:OPERATION_ID`` and the status last seen (None: not checked yet)."""
    command = getattr(args, "command", None)
    reference = given.get("list") or given.get("name")
    doing = DOING.get(command or "", "starting").format(repr(reference) if reference else "").rstrip()
    if command == "wait" and not given.get("operation_id"):
        doing = "waiting on bulk operations"
        if pending:
            named = ", ".join(
                f"{pair} ({f'last seen {status}' if status else 'not checked yet'})"
                for pair, status in pending[:NAMED_PENDING]
            )
            more = f", and {len(pending) - NAMED_PENDING} more" if len(pending) > NAMED_PENDING else ""
            doing += f"; {len(pending)} still pending: {named}{more}"
    dry_run = bool(getattr(args, "dry_run", False) or getattr(args, "plan_out", None))
    if dry_run:
        doing += " (a dry run)"
    last_check = invocation.last_check if invocation is not None else None
    stopped = Interrupted(
        signal_name(interrupt),
        doing=doing,
        writes=invocation is not None and command in WRITING_COMMANDS and not dry_run,
        operation_id=given.get("operation_id") if command in ("status", "wait") else None,
        facts=last_check.facts if last_check is not None else None,
        checks=last_check.checks if last_check is not None else None,
        elapsed=last_check.elapsed if last_check is not None else None,
    )
    stopped.partial = invocation.partial if invocation is not None else None  # as the core would have told an error
    return stopped


def _raise_interrupt(signum: int, _frame: Optional[FrameType]) -> None:
    # The first signal ends the command through its failure path; a second one, while that path prints the
    # document, ends the process at once, as the signal's default does.
    for each in SIGNALS:
        signal.signal(each, signal.SIG_DFL)
    raise Interrupt(signal.Signals(signum).name)


@contextmanager
def interrupts_raised() -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise ``Interrupt`` in the main thread. The handlers found are restored after.
    Elsewhere than the main thread, signals can't be handled: nothing changes."""
    previous: Dict[signal.Signals, Any] = {}
    try:
        for each in SIGNALS:
            previous[each] = signal.signal(each, _raise_interrupt)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for found, handler in previous.items():
            signal.signal(found, handler if handler is not None else signal.SIG_DFL)
