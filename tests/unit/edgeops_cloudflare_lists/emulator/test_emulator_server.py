"""The Emulator object's lifecycle, the command line, and the rule that the emulator shares no client code."""

from __future__ import annotations

import ast
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from emulator_testkit import Api, plain_session

import edgeops_cloudflare_lists.emulator as emulator_package
from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig, main

REPO_ROOT = Path(__file__).resolve().parents[4]
SECRET_TOKEN = "s3cret-token-value-do-not-print"
SECRET_KEY = "s3cret-legacy-key-do-not-print"


def test_base_url_is_loopback_with_the_picked_port(emulator: Emulator) -> None:
    assert emulator.config.port == 0
    assert emulator.port > 0
    assert emulator.base_url == f"http://127.0.0.1:{emulator.port}/client/v4"


def test_two_emulators_get_different_ports(start_emulator: Callable[..., Emulator]) -> None:
    assert start_emulator().port != start_emulator().port


def test_binding_a_taken_port_raises_oserror(emulator: Emulator) -> None:
    with pytest.raises(OSError):
        Emulator(EmulatorConfig(port=emulator.port)).start()


def test_context_manager_serves_then_releases_the_port() -> None:
    with Emulator() as emulator:
        port = emulator.port
        headers = {"Authorization": "Bearer emulator-token"}
        assert Api(emulator.base_url, headers).request("GET").status_code == 200
    emulator.stop()  # a second stop is harmless
    with socket.create_server(("127.0.0.1", port)):
        pass
    with pytest.raises(RuntimeError):
        _ = emulator.base_url


def test_starting_twice_is_an_error(emulator: Emulator) -> None:
    with pytest.raises(RuntimeError):
        emulator.start()


@pytest.mark.parametrize(
    "overrides",
    [
        {"fault_rate": 1.5},
        {"fault_kinds": ("html_500",)},
        {"account_id": "not-hex"},
        {"email": "ops@example.com"},
        {"api_key": "key"},
        {"token": ""},
        {"token": "has space"},
        {"item_errors": "sometimes"},
        {"max_body_bytes": 0},
        {"socket_timeout_seconds": 0},
        {"max_items_per_account": -1},
        {"pending_seconds": -1},
        {"rate_limit": 0},
        {"port": 70000},
        {"preserve_path_suffix_default": "true"},
        {"write_quota_item_changes": -1},
        {"write_quota_requests": -1},
        {"write_quota_window_seconds": 0},
    ],
)
def test_config_rejects_bad_values(overrides: Dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid emulator configuration"):
        EmulatorConfig(**overrides)


def test_requests_are_counted(emulator: Emulator, api: Api) -> None:
    api.request("GET")
    plain_session().get(emulator.base_url + "/nope", timeout=5)
    assert emulator.request_count == 2


def _start_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "edgeops_cloudflare_lists.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _first_line(process: subprocess.Popen[str], timeout: float = 10.0) -> str:
    """Read stdout's first line without risking a hang if the process never prints."""
    lines: List[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()) if process.stdout else None)
    reader.start()
    reader.join(timeout)
    if not lines:
        process.kill()
        pytest.fail("the emulator printed nothing on stdout")
    return lines[0].strip()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_main_prints_base_url_first_and_stops_on_signal(signum: int) -> None:
    process = _start_cli("--token", SECRET_TOKEN, "--email", "ops@example.com", "--api-key", SECRET_KEY)
    try:
        base_url = _first_line(process)
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/client/v4")
        api = Api(base_url, {"Authorization": f"Bearer {SECRET_TOKEN}"})
        assert api.request("GET").status_code == 200
        legacy = Api(base_url, {"X-Auth-Email": "ops@example.com", "X-Auth-Key": SECRET_KEY})
        assert legacy.request("GET").status_code == 200
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out == ""  # nothing after the base URL
    assert "Bearer token configured (--token); X-Auth-Email/X-Auth-Key configured (--email/--api-key)" in err
    assert err.splitlines()[-1] == (
        "cloudflare-lists emulator: served 2 requests; 429s: rate_limit 0, operation_pending 0, write_quota 0, fault 0"
    )
    for secret in (SECRET_TOKEN, SECRET_KEY):
        assert secret not in out + err + base_url


def test_main_with_a_token_refuses_the_well_known_legacy_pair() -> None:
    process = _start_cli("--token", SECRET_TOKEN)
    try:
        base_url = _first_line(process)
        legacy = Api(base_url, {"X-Auth-Email": "user@example.com", "X-Auth-Key": "emulator-key"})
        assert legacy.request("GET").status_code == 403
        assert Api(base_url, {"Authorization": f"Bearer {SECRET_TOKEN}"}).request("GET").status_code == 200
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert "Bearer token configured (--token); X-Auth-Email/X-Auth-Key disabled" in err


def test_main_without_credentials_serves_the_well_known_ones() -> None:
    process = _start_cli()
    try:
        base_url = _first_line(process)
        legacy = Api(base_url, {"X-Auth-Email": "user@example.com", "X-Auth-Key": "emulator-key"})
        assert legacy.request("GET").status_code == 200
        assert Api(base_url, {"Authorization": "Bearer emulator-token"}).request("GET").status_code == 200
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert "the built-in defaults" in err


def test_main_sets_the_redirect_default_and_the_write_quotas_from_its_flags() -> None:
    process = _start_cli(
        "--token", SECRET_TOKEN, "--preserve-path-suffix-default", "false", "--quota-write-requests", "1",
        "--quota-item-changes", "5", "--quota-window", "60", "--pending-seconds", "0", "--running-seconds", "0",
    )  # fmt: skip
    try:
        api = Api(_first_line(process), {"Authorization": f"Bearer {SECRET_TOKEN}"})
        list_id = api.create_list("redirects", "redirect")["id"]
        item = {"redirect": {"source_url": "example.com/a", "target_url": "https://example.net/"}}
        api.write("POST", list_id, [item])
        assert api.items(list_id)[0]["redirect"]["preserve_path_suffix"] is False
        refused = api.request("POST", f"/{list_id}/items", json=[item])
        assert refused.status_code == 429
        assert "(1 item-writing requests per account per 60 s)" in refused.text
        stats = plain_session().get(api.base_url.removesuffix("/client/v4") + "/_emulator/stats", timeout=5).json()
        [writes] = stats["writes"].values()
        assert writes["quota"] == {
            "window_seconds": 60.0,
            "item_changes": {"used": 1, "limit": 5},
            "requests": {"used": 1, "limit": 1},
        }
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert err.splitlines()[-1].endswith("; item writes: 1 requests, 1 item changes")


def test_main_verbose_logs_one_line_per_request_without_credentials() -> None:
    process = _start_cli("--verbose", "--token", SECRET_TOKEN)
    try:
        base_url = _first_line(process)
        Api(base_url, {"Authorization": f"Bearer {SECRET_TOKEN}"}).request("GET", "/" + "0" * 32)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    [line] = [line for line in err.splitlines() if "/client/v4/" in line and " GET " in line]
    assert line.endswith(" 404") and line.startswith("127.0.0.1 GET /client/v4/accounts/")
    assert SECRET_TOKEN not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--email", "ops@example.com"],
        ["--api-key", "k"],
        ["--fault-kinds", "html_500"],
        ["--fault-rate", "2"],
        ["--item-errors", "never"],
        ["--max-body-bytes", "0"],
        ["--socket-timeout", "0"],
        ["--preserve-path-suffix-default", "yes"],
        ["--quota-item-changes", "-1"],
        ["--quota-window", "0"],
    ],
)
def test_main_rejects_bad_arguments(argv: List[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().out == ""


def test_main_reports_a_taken_port(emulator: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", str(emulator.port)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "cannot listen" in captured.err


def test_emulator_imports_only_stdlib_werkzeug_and_itself() -> None:
    """The emulator must share no parsing or model code with the client it tests."""
    package_dir = Path(emulator_package.__file__).parent
    allowed = set(sys.stdlib_module_names) | {"werkzeug", "__future__"}
    offenders: List[str] = []
    for source in sorted(package_dir.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                if node.level > 1:
                    offenders.append(f"{source.name}: from {'.' * node.level}{node.module or ''}")
            elif isinstance(node, ast.ImportFrom):
                if (node.module or "").split(".")[0] not in allowed:
                    offenders.append(f"{source.name}: from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{source.name}: import {a.name}" for a in node.names if a.name.split(".")[0] not in allowed
                ]
    assert offenders == []
