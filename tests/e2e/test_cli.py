"""The ``cloudflare-lists`` command against real HTTP on 127.0.0.1: in this process on a fake clock, and as the
installed command's process where the process is what is tested (a closed or full stdout, a terminal, the whole
command's deadline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.command import Ran, run_in_process
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID, OPERATION_ID
from werkzeug.wrappers import Response

from tests.e2e.scripted_api import envelope, operation, scripted_api

TOKEN = "cli-test-token-Sn3lZJTBX6kkg7OdcBUA"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))


def run_command(*args: str, base_url: str, env_extra: dict[str, str] | None = None) -> Ran:
    """In this process, its client on a fake clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update({"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": base_url}, **(env_extra or {}))
    result = run_in_process(args, env)
    assert TOKEN not in result.stdout + result.stderr
    return result


def run_process(*args: str, base_url: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update({"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": base_url})
    result = subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def one_error_line(result: subprocess.CompletedProcess[str] | Ran) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cloudflare-lists: error: ")
    return lines[0]


def test_wait_follows_pending_running_completed_and_prints_facts() -> None:
    with scripted_api(
        operation("pending"), operation("running"), operation("completed", completed="2024-05-01T10:00:00+02:00")
    ) as api:
        result = run_command("wait", ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == 0, result.stderr
    facts = {
        "id": OPERATION_ID,
        "status": "completed",
        "finished": True,
        "succeeded": True,
        "completed_at": "2024-05-01T08:00:00Z",
        "error": None,
    }
    document = json.loads(result.stdout)
    assert document["bulk_operation"] == document["facts"] == facts
    assert {key: document[key] for key in ("account_id", "operation_id", "outcome", "checks", "error")} == {
        "account_id": ACCOUNT_ID,
        "operation_id": OPERATION_ID,
        "outcome": "completed",
        "checks": 3,
        "error": None,
    }
    assert {key: document[key] for key in facts if key != "error"} == {k: v for k, v in facts.items() if k != "error"}
    assert len(api.requests) == 3
    first = api.requests[0]
    assert first.path == f"/client/v4/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{OPERATION_ID}"
    assert first.headers["Authorization"] == "Bearer " + TOKEN
    assert first.headers["User-Agent"].startswith("edgeops-cloudflare-lists/")


def test_wait_on_failed_operation_exits_1_with_cloudflare_error_text() -> None:
    error_text = "Invalid IP address: 10.0.0.0/7 is not a valid prefix"
    with scripted_api(operation("failed", completed="2024-05-01T08:00:00Z", error=error_text)) as api:
        result = run_command("wait", ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == 1
    assert error_text in one_error_line(result)
    assert json.loads(result.stdout)["status"] == "failed"


def test_status_reports_an_unfinished_operation_with_exit_0() -> None:
    with scripted_api(operation("running")) as api:
        result = run_command("status", ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["finished"] is False
    assert (document["checks"], type(document["elapsed"])) == (1, float)  # the one check, and the time it took


def test_wait_timeout_exits_3_with_last_status() -> None:
    with scripted_api(operation("pending")) as api:
        result = run_command("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "1", base_url=api.base_url)
    assert result.returncode == 3
    assert "still pending" in one_error_line(result)
    assert json.loads(result.stdout)["status"] == "pending"


HTML_502 = Response(
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
    "<hr><center>cloudflare</center></body></html>",
    status=502,
    content_type="text/html",
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            envelope(None, success=False, errors=[{"code": 10000, "message": "Authentication error"}]),
            "success: false",
            id="success-false",
        ),
        pytest.param(
            Response('{"success": true, "result": {"id": "4da8', content_type="application/json"),
            "not JSON",
            id="truncated-json",
        ),
        pytest.param(operation("paused"), "unknown operation status 'paused'", id="unknown-status"),
        pytest.param(
            Response("", status=302, headers={"Location": "https://elsewhere.example/steal"}),
            "redirect to https://elsewhere.example/steal",
            id="redirect",
        ),
    ],
)
def test_bad_answers_exit_4_with_one_clear_line(answer: Response, expected: str) -> None:
    with scripted_api(answer) as api:
        result = run_command("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "2", base_url=api.base_url)
    assert result.returncode == 4
    assert expected in one_error_line(result)


def test_a_server_error_until_the_deadline_exits_3_with_its_reason() -> None:
    """A 5xx is retried: when it lasts until --timeout, the deadline ended the command (3), and the line says why.

    A process: the whole command's deadline is on the system's clock."""
    with scripted_api(HTML_502) as api:
        result = run_process("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "2", base_url=api.base_url)
    assert result.returncode == 3
    assert "HTTP 502" in one_error_line(result)
    assert json.loads(result.stdout)["outcome"] == "timeout"


def test_redirect_is_never_followed() -> None:
    with scripted_api(Response("", status=307, headers={"Location": "/client/v4/elsewhere"})) as api:
        result = run_command("status", ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == 4
    assert len(api.requests) == 1


@pytest.mark.parametrize("operation_id", ["../../user/tokens", "%2e%2e%2f", "abc def", ""])
def test_bad_operation_id_exits_2_before_any_request(operation_id: str) -> None:
    with scripted_api(operation("completed")) as api:
        result = run_command("wait", ACCOUNT_ID, operation_id, base_url=api.base_url)
    assert result.returncode == 2
    assert "Invalid OPERATION_ID" in one_error_line(result)
    assert api.requests == []


def test_plain_http_to_a_remote_host_is_refused_before_any_request() -> None:
    result = run_command("status", ACCOUNT_ID, OPERATION_ID, base_url="http://api.example.com/client/v4")
    assert result.returncode == 2
    assert "plain http" in one_error_line(result)


def test_missing_credentials_exit_2_and_say_what_to_set() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    result = run_in_process(["status", ACCOUNT_ID, OPERATION_ID], env)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "Set CLOUDFLARE_API_TOKEN or CLOUDFLARE_TOKEN to an API token" in line
    assert "or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY." in line
    assert line.count("CLOUDFLARE_API_TOKEN") == 1


@pytest.mark.parametrize("token", ["cli-test-\rtoken-Sn3lZJTBX6kkg7OdcBUA", "cli-test-\ntoken-Sn3lZJTBX6kkg7OdcBUA"])
def test_a_token_that_cannot_be_a_header_exits_2_without_showing_it(token: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    with scripted_api(operation("completed")) as api:
        env.update(CLOUDFLARE_API_TOKEN=token, CLOUDFLARE_BASE_URL=api.base_url)
        result = run_in_process(["status", ACCOUNT_ID, OPERATION_ID], env)
    assert result.returncode == 2
    assert "Sn3lZJTBX6kkg7OdcBUA" not in result.stdout + result.stderr
    assert "Invalid CLOUDFLARE_API_TOKEN" in one_error_line(result)
    assert api.requests == []


@pytest.mark.parametrize(
    ("flag", "value", "problem"),
    [
        ("--timeout", "-1", "zero or more"),
        ("--max-interval", "0", "more than zero"),
        ("--request-timeout", "0", "more than zero"),
        ("--timeout", "x", "expected a number of seconds"),
        # Hostile values: a microsecond cap burned the shared rate limit; 1e10 overflowed a timer.
        ("--max-interval", "1e-6", "at least 1 second (Cloudflare allows 1,200 requests per 5 minutes"),
        ("--max-interval", "3601", "at most 3600 seconds"),
        ("--request-timeout", "1e10", "at most 600 seconds"),
        ("--timeout", "1e400", "zero or more seconds"),
        ("--timeout", "86401", "at most 86400 seconds"),
        ("--timeout", "nan", "zero or more seconds"),
    ],
)
def test_bad_numbers_are_refused_naming_the_flag(flag: str, value: str, problem: str) -> None:
    result = run_command("wait", ACCOUNT_ID, OPERATION_ID, flag, value, base_url="http://127.0.0.1:9/client/v4")
    assert result.returncode == 2
    assert flag in result.stderr
    assert problem in result.stderr
    assert "unexpected" not in result.stderr


# --- where the output goes: closed, or full ----------------------------------------------------------------------


def run_with_shell_redirect(redirect: str, *args: str, base_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=base_url)
    return subprocess.run(
        ["sh", "-c", f'exec "$0" "$@" {redirect}', COMMAND, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_closed_stdout_exits_2_before_any_request() -> None:
    with scripted_api(operation("completed")) as api:
        result = run_with_shell_redirect(">&-", "status", ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == 2
    assert "stdout is closed" in one_error_line(result)
    assert api.requests == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("command", "answer", "code"),
    [("status", "completed", 5), ("wait", "completed", 5), ("wait", "failed", 1)],
)
def test_a_full_stdout_is_one_clear_error_without_a_traceback(command: str, answer: str, code: int) -> None:
    with scripted_api(operation(answer, error="bad item" if answer == "failed" else None)) as api:
        result = run_with_shell_redirect(">/dev/full", command, ACCOUNT_ID, OPERATION_ID, base_url=api.base_url)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert "could not write the result to stdout: No space left on device" in lines[0]
    assert len(lines) == (2 if answer == "failed" else 1)
    assert "Exception ignored" not in result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:99999/client/v4",
        "http://127.0.0.1:0/client/v4",
        "https://api .cloudflare.com/client/v4",
        "https://api.cloudflare.com\x1b[2J/client/v4",
        "https://api.cloudflare.com\t/client/v4",
    ],
    ids=["port-99999", "port-0", "space-in-host", "escape-in-host", "tab-in-host"],
)
def test_a_base_url_that_cannot_be_requested_exits_2_at_once(base_url: str) -> None:
    # Hostile URLs that used to exit 4 after a failed request, or retry name resolution for 70 s.
    start = time.monotonic()
    result = run_command("status", ACCOUNT_ID, OPERATION_ID, base_url=base_url)
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("cloudflare-lists: error: Invalid --base-url (or CLOUDFLARE_BASE_URL): ")
    assert "\x1b" not in line and "\t" not in line
    assert time.monotonic() - start < 10


# --- progress on a real terminal ---------------------------------------------------------------------------------


def run_in_terminal(argv: list[str], env: dict[str, str], timeout: float = 60) -> str:
    """Run ``argv`` with a pseudo-terminal as its controlling terminal (and stderr); return what it showed."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: pty.fork made the terminal its controlling one, in the foreground
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child has exited and the terminal closed
                break
            if not chunk:
                break
            output += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return output.decode("utf-8", errors="replace")


def terminal_env(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=base_url, TERM="xterm")
    return env


def test_on_a_terminal_the_progress_line_counts_down_between_checks() -> None:
    script = [operation("pending")] * 3 + [operation("completed", completed="2024-05-01T08:00:00Z")]
    with scripted_api(*script) as api:
        shown = run_in_terminal([COMMAND, "wait", ACCOUNT_ID, OPERATION_ID], terminal_env(api.base_url))
    frames = [frame.strip() for frame in shown.split("\r\x1b[K") if frame.strip()]
    counting = [frame for frame in frames if frame.startswith(f"{OPERATION_ID}: pending") and "check 3" in frame]
    # The third pause is about 1.5 s: shown when it starts, then again at the next whole second.
    assert len(counting) >= 2, shown
    assert counting[-1].endswith(", next check in 1 s")
    assert '"status": "completed"' in shown


def test_background_waits_on_one_terminal_print_whole_lines_each_with_its_label() -> None:
    with scripted_api(operation("pending"), operation("completed")) as api:
        waits = " & ".join(
            f'"$0" wait {ACCOUNT_ID} {OPERATION_ID} --label {label} --max-interval 1 --timeout 10 >/dev/null'
            for label in ("allowlist", "blocklist")
        )
        shown = run_in_terminal(["sh", "-c", f"set -m; {waits} & wait", COMMAND], terminal_env(api.base_url))
    assert "\x1b[K" not in shown  # nothing rewritten in place: background jobs don't own the terminal
    lines = [line for line in shown.replace("\r", "").splitlines() if line]
    assert {line.split(":")[0] for line in lines} == {"allowlist", "blocklist"}, shown
    assert all(" after " in line and ", check " in line for line in lines)
