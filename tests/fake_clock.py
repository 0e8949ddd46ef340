"""A monotonic clock for driving the emulator in tests: it moves only when a test says so."""

from __future__ import annotations

import threading


class FakeClock:
    """Thread-safe, because the emulator's server threads read it while the test advances it. A ``Clock`` too:
    a client's sleep advances it."""

    shared = False

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
