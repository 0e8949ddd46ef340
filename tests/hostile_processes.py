"""Hostile processes for tests: a process that takes a lock and is then stopped (SIGSTOP) while holding it.

Only the standard library, like ``hostile_servers``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List

HOLDER = textwrap.dedent(
    """
    import fcntl, os, signal, sys
    handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("held", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    """
)


def is_stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("T")


@contextmanager
def stopped_lock_holders() -> Iterator[Callable[[Path], int]]:
    """``hold(path)``: a process that takes the ``flock`` of ``path``, then is stopped while holding it; returns its
    pid. Every holder is killed on exit, stopped or not."""
    holders: List[subprocess.Popen[str]] = []

    def hold(path: Path) -> int:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        for _poll in range(500):
            if is_stopped(holder.pid):
                return holder.pid
            time.sleep(0.01)
        raise AssertionError("the lock holder did not stop")

    try:
        yield hold
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()
