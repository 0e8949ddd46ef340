"""Progress on stderr: a line rewritten in place on a terminal in the foreground, whole lines elsewhere."""

from __future__ import annotations

import argparse
import math
import os
from typing import Mapping, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import BatchProgress
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.clock import SYSTEM_CLOCK, Clock
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import neutralize
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitProgress

from .output import say

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


def wants_progress(args: argparse.Namespace, stderr: Optional[TextIO]) -> bool:
    """Progress is shown on a terminal, or with ``--progress``; never with ``--no-progress``."""
    if stderr is None:
        return False
    return bool(stderr.isatty() if args.progress is None else args.progress)


class ProgressLine:
    """Progress on stderr, every line starting with ``label`` (``--label``, else the operation id).

    On a terminal this process has in the foreground: one line rewritten in place, counting the seconds down to the
    next check. Elsewhere (a file, a pipe, a wait running in the background of a terminal, beside others): one
    whole line per check, so several waits never overwrite each other.

    ``sleep`` is the one the waiter sleeps with (the client gets ``countdown_clock``): between checks, it ticks the
    countdown once a second.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        in_place: Optional[bool] = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.stream = stream
        self.label = neutralize(label)[:MAX_LABEL_CHARS]
        self.in_place = in_foreground(stream) if in_place is None else in_place
        self.clock = clock
        self._sleep = clock.sleep
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

    def countdown_clock(self) -> Clock:
        """``clock``, sleeping through this line: the client's clock while the line shows."""
        return _CountdownClock(self)

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


class _CountdownClock:
    def __init__(self, line: ProgressLine) -> None:
        self._line = line
        self.shared = line.clock.shared

    def __call__(self) -> float:
        return self._line.clock()

    def sleep(self, seconds: float) -> None:
        self._line.sleep(seconds)


def progress_line(
    args: argparse.Namespace, stderr: Optional[TextIO], positionals: Mapping[str, str]
) -> Optional[ProgressLine]:
    """The progress of a ``wait`` or a ``sync``: shown on a terminal, or with ``--progress``."""
    if args.command not in ("wait", "sync") or stderr is None or not wants_progress(args, stderr):
        return None
    return ProgressLine(stderr, args.label or positionals.get("operation_id") or positionals.get("list", ""))


class BatchProgressLine:
    """Counts by status on stderr, after ``label``: in place on a terminal this process has in the foreground, a
    line per change elsewhere."""

    def __init__(self, stream: TextIO, label: str = "wait") -> None:
        self.stream = stream
        self.label = neutralize(label)[:MAX_LABEL_CHARS]
        self.in_place = in_foreground(stream)
        self.last = ""

    def __call__(self, progress: BatchProgress) -> None:
        counts = ", ".join(f"{count} {name}" for name, count in progress.counts.items() if count)
        text = f"{self.label}: {counts} after {progress.elapsed:.1f} s"
        if text.split(" after ")[0] == self.last.split(" after ")[0] and not self.in_place:
            return
        self.last = text
        say(self.stream, text, rewrite=self.in_place)

    def say_above(self, text: str) -> None:
        """``text`` as a line of its own: in place of the counts on a terminal, which the next check shows again."""
        if self.last and self.in_place:
            say(self.stream, text, rewrite=True)
            say(self.stream, "")
        else:
            say(self.stream, text)

    def close(self) -> None:
        if self.last and self.in_place:
            say(self.stream, "")
