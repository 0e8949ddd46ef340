"""The one fake clock: time moves only when something sleeps through it or a test advances it."""

from __future__ import annotations

import threading
from typing import List


class FakeClock:
    """Monotonic seconds from ``start``. A ``Clock`` (call it; ``sleep`` advances it and is recorded in ``sleeps``),
    and a clock for the emulator. Thread-safe, because the emulator's server threads read it while a test moves it.
    """

    shared = False  # a simulated clock: what is kept by time (the request budget) stays with it

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: List[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    @property
    def elapsed(self) -> float:
        return self() - self.start
