# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""State shared by this user's processes on this host: small files in the user's cache, under ``flock``.

No daemon and nothing to start. Two switches, each on by default: ``CLOUDFLARE_LISTS_SHARED_BUDGET=0`` keeps the
request budget in the process, ``CLOUDFLARE_LISTS_ACCOUNT_LOCK=0`` keeps the per-account write queue in the
process. Where ``fcntl`` is missing (Windows) both stay in the process.

Nothing here trusts the files or the folder, which another process, user or leftover may have put there:

- the folder must be a real directory (not a link) of this user, writable by no one else; files are opened
  through it without following links, without blocking (a FIFO), and must be regular files of this user;
- a state file is read up to ``MAX_STATE_BYTES``; every lock is waited for until a deadline, never longer.

What can't be used is refused with ``StateUnusable``; callers then keep their state in the process, and
``warn_once`` says so once (a ``SharedStateWarning``, which the adapters show as their own warnings).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import time
import warnings
from typing import Callable, Iterator, Mapping, Optional, Set

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub_data

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

SHARED_ENV = "CLOUDFLARE_LISTS_SHARED_BUDGET"
ACCOUNT_LOCK_ENV = "CLOUDFLARE_LISTS_ACCOUNT_LOCK"
CACHE_DIR_NAME = "edgeops-cloudflare-lists"
# How often a waiter looks again at a lock another process holds.
LOCK_POLL_SECONDS = 0.1
# A state file is a few hundred bytes; anything much larger is not ours.
MAX_STATE_BYTES = 64 * 1024
_OFF = ("0", "false", "no", "off")
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class SharedStateWarning(UserWarning):
    """Shared state could not be used, so this process keeps it to itself."""


class StateUnusable(Exception):
    """A state folder or file that can't be used safely: the message says which, why, and what to do."""


_warned: Set[str] = set()
_warned_guard = threading.Lock()


def warn_once(message: str) -> None:
    """Warn with ``message`` once per process (``SharedStateWarning``), scrubbed of credentials here, where the
    text is made (a path may hold anything), so no adapter has to."""
    message = str(scrub_data(message))
    with _warned_guard:
        if message in _warned:
            return
        _warned.add(message)
    warnings.warn(message, SharedStateWarning, stacklevel=3)


def switched_on(name: str, environ: Optional[Mapping[str, str]] = None) -> bool:
    env = os.environ if environ is None else environ
    return fcntl is not None and env.get(name, "1").strip().lower() not in _OFF


def sharing_enabled(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Whether the request budget is shared (``CLOUDFLARE_LISTS_SHARED_BUDGET``)."""
    return switched_on(SHARED_ENV, environ)


def cache_directory(environ: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, CACHE_DIR_NAME)


def shared_path(name: str, environ: Optional[Mapping[str, str]] = None, *, switch: str = SHARED_ENV) -> Optional[str]:
    """``<cache folder>/<name>``, or None when ``switch`` is off or the folder can't be used (said once)."""
    if not switched_on(switch, environ):
        return None
    directory = cache_directory(environ)
    try:
        with contextlib.suppress(FileExistsError):
            os.makedirs(os.path.dirname(directory), mode=0o700, exist_ok=True)
            os.mkdir(directory, 0o700)
        os.close(open_directory(directory))
    except (OSError, StateUnusable) as exc:
        warn_once(_unusable(directory, exc))
        return None
    return os.path.join(directory, name)


def _unusable(path: str, exc: BaseException) -> str:
    problem = f"{path}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
    return (
        f"{problem}. The request budget and the account write queue stay in this process (not shared with this "
        "user's other processes on this host). Remove it, or point XDG_CACHE_HOME at a folder of yours."
    )


def open_directory(path: str) -> int:
    """A descriptor of the folder ``path``, once checked: a real directory of this user that no one else can write."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise StateUnusable(f"The cache folder {path} is a link or not a folder") from None
        raise
    info = os.fstat(handle)
    problem = None
    if info.st_uid != os.geteuid():
        problem = f"belongs to user id {info.st_uid}, not to this user ({os.geteuid()})"
    elif info.st_mode & 0o022:
        problem = f"can be written by other users (mode {stat.S_IMODE(info.st_mode):o})"
    if problem is not None:
        os.close(handle)
        raise StateUnusable(f"The cache folder {path} {problem}")
    return handle


def open_state_file(directory: int, name: str, flags: int, path: str) -> int:
    """``name`` in the checked folder ``directory``, opened without following a link or blocking on a FIFO; it must
    be a regular file of this user. ``path`` names it in messages."""
    try:
        handle = os.open(name, flags | _OPEN_FLAGS, 0o600, dir_fd=directory)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise
        raise StateUnusable(f"{path} can't be opened: {_reason(exc)}") from None
    info = os.fstat(handle)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = f"is not a regular file but {_KINDS.get(stat.S_IFMT(info.st_mode), 'something else')}"
    elif info.st_uid != os.geteuid():
        problem = f"belongs to user id {info.st_uid}, not to this user ({os.geteuid()})"
    if problem is not None:
        os.close(handle)
        raise StateUnusable(f"{path} {problem}")
    return handle


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link"
    if exc.errno == errno.EISDIR:
        return "it is a folder"
    return exc.strerror or str(exc)


def read_state(path: str) -> Optional[bytes]:
    """The bytes of the state file ``path`` (at most ``MAX_STATE_BYTES + 1``), or None when it does not exist."""
    directory = open_directory(os.path.dirname(path) or ".")
    try:
        try:
            handle = open_state_file(directory, os.path.basename(path), os.O_RDONLY, path)
        except FileNotFoundError:
            return None
        try:
            chunks = []
            size = 0
            while size <= MAX_STATE_BYTES:
                chunk = os.read(handle, MAX_STATE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(handle)
    finally:
        os.close(directory)


def write_state(path: str, data: bytes) -> None:
    """Replace the state file ``path`` with ``data`` at once (a new file renamed over it)."""
    directory = open_directory(os.path.dirname(path) or ".")
    name = os.path.basename(path)
    temporary = f"{name}.{os.getpid()}.{threading.get_ident()}"
    try:
        handle = open_state_file(directory, temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, path)
        try:
            os.write(handle, data)
        finally:
            os.close(handle)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=directory)
        raise
    finally:
        os.close(directory)


@contextlib.contextmanager
def file_lock(
    path: str,
    deadline: float = float("inf"),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    poll: float = LOCK_POLL_SECONDS,
) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path``; yields False (holding nothing) if it is not free by ``deadline``.

    Raises ``StateUnusable`` when ``path`` (or its folder) can't be used safely.
    """
    directory = open_directory(os.path.dirname(path) or ".")
    try:
        handle = open_state_file(directory, os.path.basename(path), os.O_RDWR | os.O_CREAT, path)
    finally:
        os.close(directory)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - clock()
                if remaining <= 0:
                    yield False
                    return
                sleep(min(poll, remaining))
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


@contextlib.contextmanager
def account_lock(
    account_id: str,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    environ: Optional[Mapping[str, str]] = None,
) -> Iterator[Optional[bool]]:
    """This host's write lock of ``account_id``: yields True once held, False if another process still held it at
    ``deadline``, None when there is no shared lock (``CLOUDFLARE_LISTS_ACCOUNT_LOCK=0``, or its file can't be
    used: said once)."""
    path = shared_path(f"account-{account_id}.lock", environ, switch=ACCOUNT_LOCK_ENV)
    if path is None:
        yield None
        return
    with contextlib.ExitStack() as stack:
        held: Optional[bool]
        try:
            held = stack.enter_context(file_lock(path, deadline, clock, sleep))
        except (OSError, StateUnusable) as exc:
            warn_once(_unusable(path, exc))
            held = None
        yield held
