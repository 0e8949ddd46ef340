# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""State shared by this user's processes on this host: small files in the user's cache, under ``flock``.

No daemon and nothing to start. ``CLOUDFLARE_LISTS_SHARED_BUDGET=0`` keeps everything in the process; where
``fcntl`` is missing (Windows) that is the only mode.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Callable, Iterator, Mapping, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

SHARED_ENV = "CLOUDFLARE_LISTS_SHARED_BUDGET"
CACHE_DIR_NAME = "edgeops-cloudflare-lists"
# How often a waiter looks again at a lock another process holds.
LOCK_POLL_SECONDS = 0.1


def sharing_enabled(environ: Optional[Mapping[str, str]] = None) -> bool:
    env = os.environ if environ is None else environ
    return fcntl is not None and env.get(SHARED_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def shared_path(name: str, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``$XDG_CACHE_HOME/edgeops-cloudflare-lists/<name>`` (or ``~/.cache/...``), or None when sharing is off or
    the folder can't be made."""
    if not sharing_enabled(environ):
        return None
    env = os.environ if environ is None else environ
    directory = os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), CACHE_DIR_NAME
    )
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return os.path.join(directory, name)


@contextlib.contextmanager
def file_lock(
    path: str,
    deadline: float = float("inf"),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path``; yields False (holding nothing) if it is not free by ``deadline``."""
    with open(path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - clock()
                if remaining <= 0:
                    yield False
                    return
                sleep(min(LOCK_POLL_SECONDS, remaining))
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def blocking_lock(path: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` for a short critical section, waiting as long as it takes."""
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
