"""SIGINT (Ctrl-C) and SIGTERM (a CI runner's cancel) end ``wait`` and ``sync`` as a failure: the command's document
on stdout, its one line on stderr, exit 130 or 143; a second signal ends the process at once. The command runs as a
process against the emulator over 127.0.0.1 (and once in this process, where only Python's own Ctrl-C is handled);
the emulator is on a fake clock, so its operations stay running until the test moves its time."""

from __future__ import annotations

import fcntl
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Union

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.command import run_in_process
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, create_list
from jsonschema import Draft202012Validator

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_documents import LOADED, REGISTRY
from tests.e2e.test_cli_sync import COMMAND, TOKEN, run, write_in_account

RUNNING_SECONDS = 60.0  # on the emulator's fake clock: an operation runs until the test advances it
PATIENCE = 60.0  # how long a test waits for the command to get somewhere before failing, never a timing assert
SIGNALS = [pytest.param(signal.SIGINT, 130, id="SIGINT"), pytest.param(signal.SIGTERM, 143, id="SIGTERM")]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[Emulator]:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0, running_seconds=RUNNING_SECONDS)
    with Emulator(config, clock=clock) as running:
        yield running


class Started:
    """The command as a process: stderr read line by line as it comes, stdout whole at the end."""

    def __init__(self, emulator: Emulator, *args: str, stdin: str = "", stdout: Union[int, IO[Any]] = -1) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
        env.update(
            CLOUDFLARE_API_TOKEN=TOKEN,
            CLOUDFLARE_BASE_URL=emulator.base_url,
            CLOUDFLARE_ACCOUNT_ID=emulator.config.account_id,
        )
        self.process = subprocess.Popen(
            [COMMAND, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if stdout == -1 else stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(stdin)
        self.process.stdin.close()
        self.stderr_lines: List[str] = []
        self._lines: queue.Queue[Optional[str]] = queue.Queue()
        self._stdout: List[str] = []
        self._readers = [threading.Thread(target=self._read_stderr, daemon=True)]
        if self.process.stdout is not None:
            self._readers.append(threading.Thread(target=self._read_stdout, daemon=True))
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._lines.put(line)
        self._lines.put(None)

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        self._stdout.append(self.process.stdout.read())

    def wait_for_line(self, wanted: Callable[[str], bool]) -> str:
        """The first stderr line that is ``wanted``: how far the command has got."""
        while True:
            try:
                line = self._lines.get(timeout=PATIENCE)
            except queue.Empty:
                pytest.fail(f"no such line on stderr yet: {self.stderr_lines}")
            if line is None:
                pytest.fail(f"the command ended first: {self.stderr_lines}")
            self.stderr_lines.append(line)
            if wanted(line):
                return line

    def finish(self) -> subprocess.CompletedProcess[str]:
        """Its exit and output, once it has ended."""
        code = self.process.wait(timeout=PATIENCE)
        for reader in self._readers:
            reader.join(timeout=PATIENCE)
        while not self._lines.empty():
            line = self._lines.get_nowait()
            if line is not None:
                self.stderr_lines.append(line)
        return subprocess.CompletedProcess(self.process.args, code, "".join(self._stdout), "".join(self.stderr_lines))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def started() -> Iterator[List[Started]]:
    """Every command a test starts, killed after it if it is still running."""
    processes: List[Started] = []
    yield processes
    for process in processes:
        process.kill()


def start(started: List[Started], emulator: Emulator, *args: str, **options: Any) -> Started:
    started.append(Started(emulator, *args, **options))
    return started[-1]


def checking(line: str) -> bool:
    """A progress line of a check that found the operation running."""
    return ": running after " in line


def interrupted(result: subprocess.CompletedProcess[str], schema: str, code: int, name: str) -> Dict[str, Any]:
    """The one document on stdout of a run that ``name`` ended with ``code``, checked against ``schema``."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert TOKEN not in output and "Traceback" not in output
    document: Dict[str, Any] = json.loads(result.stdout)  # exactly one document: json.loads refuses anything after
    Draft202012Validator(LOADED[schema], registry=REGISTRY).validate(document)
    assert document["error"]["type"] == "Interrupted"
    assert document["error"]["message"].startswith(f"Interrupted by {name} while ")
    assert result.stderr.strip().splitlines()[-1] == f"cloudflare-lists: error: {document['error']['message']}"
    return document


@pytest.mark.parametrize(("signum", "code"), SIGNALS)
def test_a_signal_during_a_wait_ends_it_with_the_wait_document(
    emulator: Emulator, started: List[Started], signum: int, code: int
) -> None:
    operation_id = append_items(emulator, create_list(emulator, "slow"), [{"ip": "192.0.2.1"}])
    waiting = start(started, emulator, "wait", operation_id, "--progress")
    waiting.wait_for_line(checking)
    waiting.process.send_signal(signum)

    document = interrupted(waiting.finish(), "operation.schema.json", code, signal.Signals(signum).name)
    assert (document["outcome"], document["operation_id"]) == ("error", operation_id)
    assert document["bulk_operation"]["status"] == "running" and document["checks"] >= 1
    error = document["error"]
    assert f"Bulk operation {operation_id} was last seen running." in error["message"]
    assert error["hint"].startswith("Nothing was changed by this call, and the operation goes on at Cloudflare")
    assert "OPERATION_ID" in error["hint"]
    assert {operation["id"]: operation["status"] for operation in emulator.operations}[operation_id] == "running"


@pytest.mark.parametrize(("signum", "code"), SIGNALS)
def test_a_signal_during_a_sync_wait_says_a_write_may_have_been_sent_and_a_rerun_converges(
    emulator: Emulator, clock: FakeClock, started: List[Started], signum: int, code: int
) -> None:
    syncing = start(
        started, emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", "--progress", stdin="192.0.2.1\n"
    )
    syncing.wait_for_line(checking)
    syncing.process.send_signal(signum)

    finished = syncing.finish()
    document = interrupted(finished, "sync.schema.json", code, signal.Signals(signum).name)
    [write] = emulator.operations
    assert (document["bulk_operation"]["id"], document["bulk_operation"]["status"]) == (write["id"], "running")
    # What it had done by then: created the list and sent its write, which is still running.
    assert (document["changed"], document["created"]) == (True, True)
    assert (document["list"]["id"], document["list"]["name"]) == (emulator.lists()["blocklist"]["id"], "blocklist")
    assert document["plan"]["add"] == [{"ip": "192.0.2.1"}]
    assert [(w["method"], w["operation"]["id"], w["operation"]["status"]) for w in document["writes"]] == [
        ("POST", write["id"], "running")
    ]
    assert "\nblocklist (a new list): add 1, update 0, remove 0 (of 0 items now); POST of 1 item\n" in finished.stderr
    error = document["error"]
    assert error["message"].startswith(f"Interrupted by {signal.Signals(signum).name} while syncing list 'blocklist'.")
    assert f"Bulk operation {write['id']} was last seen running." in error["message"]
    assert error["hint"].startswith("A write may have been sent")
    assert "never resending a write blindly" in error["hint"]

    clock.advance(RUNNING_SECONDS)  # Cloudflare applies the write whether or not anyone waits
    rerun = run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="192.0.2.1\n")
    assert rerun.returncode == 0, rerun.stderr
    converged = json.loads(rerun.stdout)
    assert (converged["changed"], converged["writes"], converged["list"]["num_items"]) == (False, [], 1)
    assert len(emulator.operations) == 1  # the rerun read the list again and sent nothing


class CtrlCWhileSleeping(FakeClock):
    """A client clock whose first sleep (the pause before the wait's next check) meets Ctrl-C; it notes the signal
    handlers in place then."""

    def sleep(self, seconds: float) -> None:
        self.handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
        raise KeyboardInterrupt


def test_in_process_ctrl_c_ends_a_wait_with_its_document_and_no_handler_is_installed(emulator: Emulator) -> None:
    operation_id = append_items(emulator, create_list(emulator, "slow"), [{"ip": "192.0.2.1"}])
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    environ = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emulator.base_url}
    clock = CtrlCWhileSleeping()
    ran = run_in_process(["wait", emulator.config.account_id, operation_id], environ, clock)
    result = subprocess.CompletedProcess(["wait"], ran.returncode, ran.stdout, ran.stderr)
    document = interrupted(result, "operation.schema.json", 130, "SIGINT")
    assert (document["checks"], document["bulk_operation"]["status"]) == (1, "running")
    assert clock.handlers == before  # run() leaves signals to the process entry point


def _caught_signals(pid: int) -> int:
    """The mask of signals ``pid`` has a handler for (Linux's /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigCgt in /proc status")


def _handles(pid: int, signum: int) -> bool:
    return bool(_caught_signals(pid) >> (signum - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal handlers from Linux's /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_ends_a_command_stuck_printing_its_document(
    emulator: Emulator, started: List[Started], signum: int
) -> None:
    operation_id = append_items(emulator, create_list(emulator, "slow"), [{"ip": "192.0.2.1"}])
    reader, writer = os.pipe()
    try:
        # stdout a pipe nobody reads, already full: the first signal's document can't be written.
        fcntl.fcntl(writer, fcntl.F_SETFL, os.O_NONBLOCK)
        try:
            while True:
                os.write(writer, b"x" * 65536)
        except BlockingIOError:
            pass
        fcntl.fcntl(writer, fcntl.F_SETFL, 0)
        waiting = start(started, emulator, "wait", operation_id, "--progress", stdout=writer)
        waiting.wait_for_line(checking)
        assert _handles(waiting.process.pid, signal.SIGINT) and _handles(waiting.process.pid, signal.SIGTERM)
        waiting.process.send_signal(signum)
        # The first signal's handler gives both signals back their default action: then the second one kills.
        patience = time.monotonic() + PATIENCE
        while _handles(waiting.process.pid, signal.SIGINT) or _handles(waiting.process.pid, signal.SIGTERM):
            assert waiting.process.poll() is None, "the command ended with its document written to a full pipe"
            assert time.monotonic() < patience, "the first signal left its handlers in place"
            time.sleep(0.01)
        waiting.process.send_signal(signum)
        assert waiting.process.wait(timeout=PATIENCE) == -signum
    finally:
        os.close(reader)
        os.close(writer)


def test_a_signal_during_a_wait_on_several_operations_names_each_still_pending_with_its_last_status(
    emulator: Emulator, started: List[Started]
) -> None:
    # Two accounts: each has one pending operation at a time.
    pairs = [f"{account}:" + write_in_account(emulator, account, "192.0.2.1") for account in ("1" * 32, "2" * 32)]
    waiting = start(started, emulator, "wait", *pairs, "--progress")
    waiting.wait_for_line(lambda line: "2 pending after" in line)
    waiting.process.send_signal(signal.SIGINT)

    document = interrupted(waiting.finish(), "operation.schema.json", 130, "SIGINT")
    message = document["error"]["message"]
    assert message.startswith("Interrupted by SIGINT while waiting on bulk operations; 2 still pending: ")
    # Each is named with its status as last seen; the second may not have been checked when the signal came.
    assert f"{pairs[0]} (last seen running)" in message
    assert f"{pairs[1]} (last seen running)" in message or f"{pairs[1]} (not checked yet)" in message
    assert {operation["status"] for operation in emulator.operations} == {"running"}
