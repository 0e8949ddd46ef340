"""shared_state and the budget's files: whatever is on disk or holds a lock, nothing hangs, reads without bound,
crashes, or trusts another user.

Hostile situations covered, with real files and real processes (each budget runs in a child process, bounded in
time and memory, as a command would): a stopped process holding the budget's lock (SIGSTOP); a FIFO at the budget
path; a link to /dev/zero there; a folder where the budget file or its lock should be; the cache folder of another
user (where this machine lets the test chown it) and a world-writable one; 100,000 '[' and ``{"tokens": -1e9}``
in the file; the account lock's folder at its path, and a stopped holder of the account lock.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import (
    BUDGET_LOCK_WAIT,
    RateBudget,
    fingerprint,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import remember_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import (
    ACCOUNT_LOCK_ENV,
    CACHE_DIR_NAME,
    SHARED_ENV,
    SharedStateWarning,
    account_lock,
    warn_once,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_processes import stopped_lock_holders
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID

SECRET = "state-test-token-5e4d3c2b1a"
BASE_URL = "https://api.example"
# A child that has not finished by then hangs; its address space is capped so an unbounded read fails fast.
CHILD_TIMEOUT = 20
CHILD_MEMORY = 1024 * 1024 * 1024

BUDGET_CHILD = textwrap.dedent(
    f"""
    import json, sys, time, warnings
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import shared_budget
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        budget = shared_budget(({SECRET!r},), {BASE_URL!r})
        start = time.monotonic()
        waits = [budget.acquire(time.monotonic() + 5, deadline_clock=time.monotonic) for _ in range(3)]
        budget.observe(429, {{"Retry-After": "0"}})
        seconds = time.monotonic() - start
    print(json.dumps({{
        "waits": waits,
        "seconds": seconds,
        "shared": type(budget._store).__name__ == "_FileStore",
        "warnings": [str(w.message) for w in caught if w.category.__name__ == "SharedStateWarning"],
    }}))
    """
)


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def run_budget(cache: Path, **env: str) -> Dict[str, Any]:
    """A budget of this credential in a child process: three requests and one answer, within 5 s."""
    # The child imports the collection as this process does (ansible-test's units put it on sys.path).
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "XDG_CACHE_HOME": str(cache), **env}
    try:
        done = subprocess.run(
            [sys.executable, "-c", BUDGET_CHILD],
            capture_output=True,
            text=True,
            env=environ,
            timeout=CHILD_TIMEOUT,
            preexec_fn=limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the budget still had not answered after {CHILD_TIMEOUT} s")
    assert done.returncode == 0, done.stderr[-2000:]
    result: Dict[str, Any] = json.loads(done.stdout)
    return result


def folder(cache: Path) -> Path:
    return cache / CACHE_DIR_NAME


def budget_file(cache: Path) -> Path:
    folder(cache).mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder(cache) / f"budget-{fingerprint((BASE_URL, SECRET))}.json"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    return path


def test_a_usable_folder_shares_the_budget_without_a_warning(cache: Path) -> None:
    result = run_budget(cache)
    assert result == {**result, "shared": True, "warnings": [], "waits": [0, 0, 0]}
    assert json.loads(budget_file(cache).read_text())["tokens"] == 0.0  # the 429 emptied the shared bucket


# --- what can't be used: the budget stays in the process, with one warning, at once ------------------------------


def make_fifo(cache: Path) -> str:
    os.mkfifo(budget_file(cache))
    return "is not a regular file but a FIFO"


def link_to_dev_zero(cache: Path) -> str:
    budget_file(cache).symlink_to("/dev/zero")
    return "symbolic link"


def folder_at_the_budget_path(cache: Path) -> str:
    budget_file(cache).mkdir()
    return "is not a regular file but a folder"


def folder_at_the_lock_path(cache: Path) -> str:
    Path(f"{budget_file(cache)}.lock").mkdir()
    return "it is a folder"


def fifo_at_the_lock_path(cache: Path) -> str:
    os.mkfifo(f"{budget_file(cache)}.lock")
    return "is not a regular file but a FIFO"


def world_writable_folder(cache: Path) -> str:
    budget_file(cache)
    folder(cache).chmod(0o777)
    return "can be written by other users (mode 777)"


@pytest.mark.parametrize(
    "prepare",
    [
        make_fifo,
        link_to_dev_zero,
        folder_at_the_budget_path,
        folder_at_the_lock_path,
        fifo_at_the_lock_path,
        world_writable_folder,
    ],
)
def test_a_state_path_that_cant_be_used_keeps_the_budget_in_the_process_with_one_warning(
    cache: Path, prepare: Any
) -> None:
    problem = prepare(cache)
    result = run_budget(cache)
    assert result["waits"] == [0, 0, 0]
    assert result["seconds"] < 2
    assert not result["shared"]
    (warning,) = result["warnings"]
    assert problem in warning
    assert "stay in this process" in warning or "budget of its own" in warning


def another_user() -> int:
    return 65534  # nobody


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user here")
def test_the_cache_folder_of_another_user_is_never_used(cache: Path) -> None:
    folder(cache).mkdir(mode=0o700)
    os.chown(folder(cache), another_user(), another_user())
    result = run_budget(cache)
    assert not result["shared"]
    (warning,) = result["warnings"]
    assert f"belongs to user id {another_user()}, not to this user" in warning
    assert "XDG_CACHE_HOME" in warning
    assert list(folder(cache).iterdir()) == []  # nothing written into another user's folder


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user here")
def test_a_budget_file_of_another_user_is_never_read(cache: Path) -> None:
    path = budget_file(cache)
    path.write_text(json.dumps({"tokens": 0, "updated": time.time(), "paused_until": time.time() + 300}))
    os.chown(path, another_user(), another_user())
    result = run_budget(cache)
    assert result["waits"] == [0, 0, 0]  # its 300 s pause was not taken
    (warning,) = result["warnings"]
    assert f"belongs to user id {another_user()}, not to this user" in warning


# --- contents: corrupt or absurd files are rebuilt, with one warning -------------------------------------------


@pytest.mark.parametrize(
    "contents",
    [
        "[" * 100_000,
        "[" * 60_000,  # within the size bound, past the parser's nesting
        json.dumps({"tokens": -1e9, "updated": 0}),
        json.dumps({"tokens": 5, "updated": 0, "server_remaining": -7}),
        json.dumps({"tokens": 1e300, "updated": 0}),
        "\xff\xfe not text",
    ],
    ids=["100k-brackets", "60k-brackets", "tokens-minus-1e9", "negative-remaining", "tokens-1e300", "not-utf8"],
)
def test_a_corrupt_or_absurd_budget_file_is_rebuilt_with_one_warning(cache: Path, contents: str) -> None:
    budget_file(cache).write_bytes(contents.encode("latin-1"))
    result = run_budget(cache)
    assert result["waits"] == [0, 0, 0]
    assert result["shared"]
    (warning,) = result["warnings"]
    assert "held no valid budget" in warning and "rebuilt" in warning
    assert json.loads(budget_file(cache).read_text())["tokens"] >= 0


def test_an_absurd_file_is_refused_in_process_too(tmp_path: Path, clock: Any) -> None:
    path = tmp_path / "budget.json"
    path.write_text(json.dumps({"tokens": -1e9, "updated": 0}))
    with pytest.warns(SharedStateWarning, match="rebuilt"):
        assert RateBudget(1.0, 3, clock=clock, sleep=clock.sleep, path=str(path)).acquire() == 0


# --- a stopped process holding a lock -------------------------------------------------------------------------


@pytest.fixture
def stopped_holder() -> Iterator[Any]:
    with stopped_lock_holders() as hold:
        yield hold


def test_a_stopped_process_holding_the_budget_lock_delays_others_by_one_lock_wait_at_most(
    cache: Path, stopped_holder: Any
) -> None:
    stopped_holder(Path(f"{budget_file(cache)}.lock"))
    result = run_budget(cache)
    assert result["waits"] == [0, 0, 0]
    assert result["seconds"] < BUDGET_LOCK_WAIT + 1.5
    assert not result["shared"]
    (warning,) = result["warnings"]
    assert f"for more than {BUDGET_LOCK_WAIT:g} s (it may be stopped or stuck)" in warning


def test_a_stopped_holder_of_the_account_lock_is_waited_for_until_the_deadline_only(
    cache: Path, stopped_holder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    folder(cache).mkdir(mode=0o700)
    stopped_holder(folder(cache) / f"account-{ACCOUNT_ID}.lock")
    start = time.monotonic()
    with account_lock(ACCOUNT_ID, time.monotonic() + 1.0) as held:
        assert held is False
    assert time.monotonic() - start < 2.0


def test_an_account_lock_that_cant_be_used_is_the_processs_own_with_one_warning(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    (folder(cache) / f"account-{ACCOUNT_ID}.lock").mkdir(parents=True)
    folder(cache).chmod(0o700)
    with pytest.warns(SharedStateWarning, match="it is a folder") as caught:
        with account_lock(ACCOUNT_ID, time.monotonic() + 1.0) as held:
            assert held is None
        with account_lock(ACCOUNT_ID, time.monotonic() + 1.0) as again:
            assert again is None
    assert len([w for w in caught if "it is a folder" in str(w.message)]) == 1


def test_the_account_lock_and_the_budget_have_separate_switches(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv(SHARED_ENV, "0")
    with account_lock(ACCOUNT_ID, time.monotonic() + 1.0) as held:
        assert held is True  # the budget's switch leaves the account lock on
    assert run_budget(cache, **{SHARED_ENV: "0"})["shared"] is False
    monkeypatch.setenv(SHARED_ENV, "1")
    monkeypatch.setenv(ACCOUNT_LOCK_ENV, "off")
    with account_lock(ACCOUNT_ID, time.monotonic() + 1.0) as held:
        assert held is None
    assert run_budget(cache, **{ACCOUNT_LOCK_ENV: "off"})["shared"] is True


def test_state_files_are_made_for_this_user_alone(cache: Path) -> None:
    run_budget(cache)
    assert stat.S_IMODE(folder(cache).stat().st_mode) == 0o700
    assert stat.S_IMODE(budget_file(cache).stat().st_mode) == 0o600


def test_a_warning_is_scrubbed_of_credentials_where_it_is_made() -> None:
    secret = "warned-token-8c7b6a5f4e3d2c1b"
    remember_secrets([secret])
    with pytest.warns(SharedStateWarning) as caught:
        warn_once(f"The cache folder /home/{secret}/cache is not a folder.")
    message = str(caught[0].message)
    assert secret not in message and message.startswith("The cache folder /home/")
