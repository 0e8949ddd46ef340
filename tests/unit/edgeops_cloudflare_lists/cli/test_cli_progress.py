"""The command's progress line: a countdown on a terminal in the foreground, whole prefixed lines elsewhere."""

from __future__ import annotations

import io

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitProgress
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID

from edgeops_cloudflare_lists.cli import progress

PENDING = BulkOperationFacts(id=OPERATION_ID, status="pending")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress_line(
    stream: io.StringIO, clock: FakeClock, *, in_place: bool, label: str = OPERATION_ID
) -> progress.ProgressLine:
    return progress.ProgressLine(stream, label, in_place=in_place, clock=clock)


def test_on_a_terminal_the_line_counts_down_to_the_next_check_each_second() -> None:
    clock, stream = FakeClock(), Terminal()
    line = progress_line(stream, clock, in_place=True, label="blocklist")
    line(WaitProgress(checks=3, elapsed=4.2, facts=PENDING, next_check_in=3.5))
    line.sleep(3.5)

    assert [round(seconds, 6) for seconds in clock.sleeps] == [0.5, 1.0, 1.0, 1.0]
    shown = [frame for frame in stream.getvalue().split("\r\033[K") if frame]
    assert shown == [
        "blocklist: pending after 4.2 s, check 3, next check in 3.5 s",
        "blocklist: pending after 4.2 s, check 3, next check in 3 s",
        "blocklist: pending after 4.2 s, check 3, next check in 2 s",
        "blocklist: pending after 4.2 s, check 3, next check in 1 s",
    ]


def test_a_sleep_that_is_not_the_pause_before_a_check_shows_nothing() -> None:
    clock, stream = FakeClock(), Terminal()
    line = progress_line(stream, clock, in_place=True)
    line(WaitProgress(checks=1, elapsed=0.0, facts=PENDING, next_check_in=None))
    before = stream.getvalue()
    line.sleep(2.0)  # urllib3 backing off within a check
    assert [round(seconds, 6) for seconds in clock.sleeps] == [2.0]
    assert stream.getvalue() == before


def test_elsewhere_each_check_is_one_whole_line_starting_with_the_operation_id() -> None:
    clock, stream = FakeClock(), io.StringIO()
    line = progress_line(stream, clock, in_place=False)
    line(WaitProgress(checks=1, elapsed=0.0, facts=PENDING, next_check_in=0.4))
    line.sleep(0.4)
    line(WaitProgress(checks=2, elapsed=0.5, facts=None, next_check_in=0.8, transient_error="HTTP 503"))
    line.sleep(0.8)
    line.close()

    assert [round(seconds, 6) for seconds in clock.sleeps] == [0.4, 0.8]
    assert stream.getvalue().splitlines() == [
        f"{OPERATION_ID}: pending after 0.0 s, check 1, next check in 0.4 s",
        f"{OPERATION_ID}: unknown after 0.5 s, check 2 (API trouble, retrying), next check in 0.8 s",
    ]


def test_a_label_with_terminal_controls_is_neutralized_and_bounded() -> None:
    line = progress_line(io.StringIO(), FakeClock(), in_place=False, label="\x1b[2J" + "x" * 100)
    assert line.label.startswith("\\x1b[2J")
    assert len(line.label) == progress.MAX_LABEL_CHARS


@pytest.mark.parametrize(
    ("tty", "foreground_group", "expected"),
    [(True, 42, True), (True, 7, False), (False, 42, False)],
    ids=["foreground-terminal", "background-job", "not-a-terminal"],
)
def test_only_a_terminal_this_process_has_in_the_foreground_is_rewritten_in_place(
    monkeypatch: pytest.MonkeyPatch, tty: bool, foreground_group: int, expected: bool
) -> None:
    stream = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(stream, "fileno", lambda: 2, raising=False)
    monkeypatch.setattr(progress.os, "tcgetpgrp", lambda fd: foreground_group)
    monkeypatch.setattr(progress.os, "getpgrp", lambda: 42)
    assert progress.in_foreground(stream) is expected


def test_a_stderr_that_fails_stops_the_progress_not_the_wait() -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    line = progress_line(Full(), FakeClock(), in_place=False)
    line(WaitProgress(checks=1, elapsed=0.0, facts=PENDING, next_check_in=0.4))
    assert line.broken is True
