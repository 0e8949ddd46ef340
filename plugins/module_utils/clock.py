# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time, injectable: a ``Clock`` reads monotonic seconds (call it) and lets them pass (``sleep``).

Every wait, retry and deadline of a client reads its one clock, so a test drives them all on a simulated clock and
never sleeps. ``shared``: other processes on this host read the same time (the system's clock), so what is kept by
time, such as the request budget, may be shared with them; a simulated clock keeps it to itself.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    shared: bool

    def __call__(self) -> float:
        """Monotonic seconds."""

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""


class SystemClock:
    """The system's monotonic clock, and real sleep."""

    shared = True

    def __call__(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
