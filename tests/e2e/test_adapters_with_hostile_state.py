"""The command and the Ansible module as real processes, when the shared state on disk is hostile or held.

Hostile situations covered: a stopped process (SIGSTOP) holding the request budget's lock, while a wait with a
5 s timeout runs; a folder where the budget's lock file should be, and the cache folder of another user (a
leftover of a ``sudo`` run), for a module run. Every run ends within its deadline, does its job with the budget
kept in the process, and says so in one warning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import fingerprint

from tests.e2e.pulumi_engine import clean_env
from tests.hostile_processes import stopped_lock_holders
from tests.hostile_servers import ACCOUNT_ID, OPERATION_ID, HostileServer, answer, http_response, operation_bytes

TOKEN = "hostile-state-token-7a6b5c4d3e"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
MODULE = "ansible_collections.edgeops.cloudflare_lists.plugins.modules.bulk_operation_info"
FLOOR = 1.0
STARTUP = 4.0
PENDING = http_response(operation_bytes("pending"))
COMPLETED = http_response(operation_bytes("completed", completed="2024-05-01T08:00:00Z"))


def budget_path(cache: Path, base_url: str) -> Path:
    folder = cache / "edgeops-cloudflare-lists"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"budget-{fingerprint((base_url, TOKEN))}.json"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def stopped_holder_of() -> Iterator[Any]:
    with stopped_lock_holders() as hold:
        yield hold


def run_command(cache: Path, base_url: str, *args: str, limit: float) -> subprocess.CompletedProcess[str]:
    env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=base_url, XDG_CACHE_HOME=str(cache))
    try:
        return subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"cloudflare-lists {' '.join(args)} was still running after {limit:g} s")


def test_a_wait_ends_within_its_timeout_while_a_stopped_process_holds_the_budget_lock(
    cache: Path, stopped_holder_of: Any
) -> None:
    with HostileServer(answer(PENDING)) as server:
        stopped_holder_of(Path(f"{budget_path(cache, server.base_url)}.lock"))
        start = time.monotonic()
        result = run_command(cache, server.base_url, "wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "5", limit=40)
        seconds = time.monotonic() - start
    assert result.returncode == 3, result.stderr
    assert seconds < 5 + FLOOR + STARTUP
    assert result.stderr.count("may be stopped or stuck") == 1, result.stderr
    assert json.loads(result.stdout)["status"] == "pending"
    assert len(server.requests) >= 3  # it kept checking, on a budget of its own


def run_module(cache: Path, tmp_path: Path, base_url: str) -> Dict[str, Any]:
    path = tmp_path / "args.json"
    params = {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "api_token": TOKEN, "base_url": base_url}
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
    done = subprocess.run(
        [sys.executable, "-m", MODULE, str(path)],
        capture_output=True,
        text=True,
        env=clean_env(XDG_CACHE_HOME=str(cache)),
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stdout + done.stderr
    result: Dict[str, Any] = json.loads(done.stdout)
    return result


def warnings_of(result: Dict[str, Any]) -> List[str]:
    """The task's warnings as text (ansible-core 2.19 returns each as a structured summary)."""
    return [w if isinstance(w, str) else w["event"]["msg"] for w in result.get("warnings", [])]


def test_a_module_with_a_folder_at_the_budget_lock_path_succeeds_with_one_warning(cache: Path, tmp_path: Path) -> None:
    with HostileServer(answer(COMPLETED)) as server:
        Path(f"{budget_path(cache, server.base_url)}.lock").mkdir()
        result = run_module(cache, tmp_path, server.base_url)
    assert result.get("failed") is not True, result
    assert result["bulk_operation"]["status"] == "completed"
    (warning,) = warnings_of(result)
    assert "it is a folder" in warning and "budget of its own" in warning


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user here")
def test_a_module_never_uses_a_cache_folder_left_by_another_user(cache: Path, tmp_path: Path) -> None:
    folder = cache / "edgeops-cloudflare-lists"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with HostileServer(answer(COMPLETED)) as server:
        result = run_module(cache, tmp_path, server.base_url)
    assert result.get("failed") is not True, result
    (warning,) = warnings_of(result)
    assert "belongs to user id 65534, not to this user" in warning
    assert list(folder.iterdir()) == []
