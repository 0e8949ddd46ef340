"""The command, the Ansible module and the Pulumi provider, each as a real process, against hostile servers.

Hostile behaviours covered, for every adapter the review attacked:
- a server that drips its answer a byte at a time (the wait must end within its timeout plus a second);
- a server that answers only after the wait's deadline;
- a TLS server whose certificate is self-signed (one clear error, one handshake, no traceback);
- proxy variables that would carry a plain-http request, credentials included, off loopback;
- a server that echoes the credential into a failed operation's ``error``, JSON-escaped;
- 429 answers whose ``Retry-After`` is an HTTP-date far ahead, 5,000 digits, or ``inf``;
- escape sequences, forged line breaks and bidi overrides in errors[].message, a failed operation's error and a
  redirect's Location.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from pulumi_provider.testing import ProviderCallError
from tests.e2e.pulumi_engine import ACCOUNT, provider_server
from tests.hostile_servers import (
    ACCOUNT_ID,
    OPERATION_ID,
    Behaviour,
    HostileServer,
    RecordingProxy,
    answer,
    drip,
    echo_failed_operation,
    envelope_bytes,
    http_response,
    make_certificate,
    operation_bytes,
    server_tls_context,
    stall,
)

# With slashes, so an echo that JSON-escapes them (\/) is a spelling the scrubbing must catch.
TOKEN = "hostile/e2e/token-9f8e7d6c5b4a"
SECRET_PARTS = ("hostile/e2e", "hostile\\/e2e", "e2e/token-9f8e7d6c5b4a", "token-9f8e7d6c5b4a")
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
MODULE = "ansible_collections.edgeops.cloudflare_lists.plugins.modules.bulk_operation_info"
FLOOR = 1.0
# A process's start-up on a loaded 2-core machine, on top of the bound under test.
STARTUP = 4.0
PENDING = http_response(operation_bytes("pending"))
DRIPPING = drip(PENDING, interval=0.5)


def environment(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env.update(CLOUDFLARE_API_TOKEN=TOKEN, **extra)
    return env


def run_command(*args: str, base_url: str, **env: str) -> Tuple[float, subprocess.CompletedProcess[str]]:
    start = time.monotonic()
    result = subprocess.run(
        [COMMAND, *args],
        capture_output=True,
        text=True,
        env=environment(CLOUDFLARE_BASE_URL=base_url, **env),
        timeout=120,
        check=False,
    )
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return time.monotonic() - start, result


def run_module(tmp_path: Path, **args: Any) -> Tuple[float, Dict[str, Any]]:
    """The module as Ansible runs it on a host: a process given its arguments in a file."""
    path = tmp_path / "args.json"
    params = {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "api_token": TOKEN, **args}
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", MODULE, str(path)],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=120,
        check=False,
    )
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return time.monotonic() - start, json.loads(result.stdout)


@pytest.fixture
def dripping() -> Iterator[HostileServer]:
    with HostileServer(DRIPPING) as server:
        yield server


# --- a dripping or late server: every wait ends within its timeout plus the floor ------------------------------


@pytest.mark.parametrize(
    "behaviour", [DRIPPING, stall(6, then=PENDING)], ids=["drips-a-byte-each-half-second", "answers-after-6s"]
)
def test_command_wait_ends_within_its_timeout_plus_the_floor(behaviour: Behaviour) -> None:
    with HostileServer(behaviour) as server:
        seconds, result = run_command(
            "wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "2", "--request-timeout", "5", base_url=server.base_url
        )
    assert result.returncode == 3, result.stderr  # the deadline, --timeout, ended it
    assert re.search(r"did not answer within (2|1\.9) s", result.stderr), result.stderr
    assert seconds < 2 + FLOOR + STARTUP


def test_command_status_ends_within_its_request_timeout(dripping: HostileServer) -> None:
    seconds, result = run_command(
        "status", ACCOUNT_ID, OPERATION_ID, "--request-timeout", "2", base_url=dripping.base_url
    )
    assert result.returncode == 4, result.stderr
    assert "did not answer within 2 s (cut off at 2 s)" in result.stderr
    assert seconds < 2 + STARTUP
    assert len(dripping.requests) == 1


def test_module_wait_ends_within_wait_timeout_plus_the_floor(dripping: HostileServer, tmp_path: Path) -> None:
    seconds, result = run_module(tmp_path, base_url=dripping.base_url, wait=True, wait_timeout=3, timeout=2)
    assert result["failed"] is True
    assert result["error_type"] == "TransportError"
    assert "did not answer within" in result["msg"]
    assert seconds < 3 + FLOOR + STARTUP


def test_pulumi_create_ends_within_wait_timeout_plus_the_floor(dripping: HostileServer) -> None:
    config = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": dripping.base_url}
    with provider_server(config) as server:
        checked = server.check({"account_id": ACCOUNT, "operation_id": OPERATION_ID, "wait_timeout": 3})
        start = time.monotonic()
        with pytest.raises(ProviderCallError) as info:
            server.create(checked.inputs)
        seconds = time.monotonic() - start
    assert "did not answer within" in info.value.message
    assert TOKEN not in info.value.details
    assert seconds < 3 + FLOOR + 1.0


# --- a TLS certificate that cannot be verified: one clear error, one handshake ------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    paths = make_certificate(tmp_path_factory.mktemp("tls"))
    with HostileServer(answer(PENDING), tls=server_tls_context(paths)) as server:
        yield server


def test_command_reports_an_unverifiable_certificate_in_one_line_naming_insecure(self_signed: HostileServer) -> None:
    before = self_signed.connections
    _seconds, result = run_command("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "30", base_url=self_signed.base_url)
    assert result.returncode == 4
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("cloudflare-lists: error: GET bulk operation ")
    assert "the TLS certificate of 127.0.0.1 could not be verified: self-signed certificate" in line
    assert "turn verification off (--insecure)" in line
    assert self_signed.connections == before + 1


def test_command_with_insecure_reaches_a_self_signed_endpoint(self_signed: HostileServer) -> None:
    _seconds, result = run_command("status", ACCOUNT_ID, OPERATION_ID, "--insecure", base_url=self_signed.base_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "pending"


def test_command_with_insecure_says_so_once_however_many_requests(self_signed: HostileServer) -> None:
    before = len(self_signed.requests)
    _seconds, result = run_command(
        "wait", ACCOUNT_ID, OPERATION_ID, "--insecure", "--timeout", "2", "--progress", base_url=self_signed.base_url
    )
    assert result.returncode == 3, result.stderr
    assert len(self_signed.requests) - before >= 3
    lines = result.stderr.splitlines()
    assert [line for line in lines if "warning" in line.lower()] == [
        "cloudflare-lists: warning: --insecure: TLS certificates are not verified, so anyone on the path can read "
        "and answer these requests; use it only for a test endpoint."
    ]
    assert "InsecureRequestWarning" not in result.stderr


def test_module_reports_an_unverifiable_certificate_as_an_endpoint_error(
    self_signed: HostileServer, tmp_path: Path
) -> None:
    _seconds, result = run_module(tmp_path, base_url=self_signed.base_url, wait=True, wait_timeout=30)
    assert result["failed"] is True
    assert result["error_type"] == "EndpointError"
    assert "self-signed certificate" in result["msg"]
    assert "turn verification off (validate_certs)" in result["msg"]


def test_pulumi_create_reports_an_unverifiable_certificate(self_signed: HostileServer) -> None:
    config = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": self_signed.base_url}
    with provider_server(config) as server:
        checked = server.check({"account_id": ACCOUNT, "operation_id": OPERATION_ID, "wait_timeout": 30})
        with pytest.raises(ProviderCallError) as info:
            server.create(checked.inputs)
    assert "could not be verified: self-signed certificate" in info.value.message
    assert "AttributeError" not in info.value.details


# --- proxy variables: a plain-http request to loopback never goes through a proxy ---------------------------------

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def test_command_sends_plain_http_to_loopback_directly_whatever_the_proxy_variables() -> None:
    with RecordingProxy() as proxy, HostileServer(answer(PENDING)) as server:
        proxies = dict.fromkeys(PROXY_VARIABLES, proxy.url)
        _seconds, result = run_command("status", ACCOUNT_ID, OPERATION_ID, base_url=server.base_url, **proxies)
    assert result.returncode == 0, result.stderr
    assert proxy.received == []
    assert len(server.requests) == 1


def test_module_sends_plain_http_to_loopback_directly_whatever_the_proxy_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RecordingProxy() as proxy, HostileServer(answer(PENDING)) as server:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, proxy.url)
        _seconds, result = run_module(tmp_path, base_url=server.base_url)
    assert result.get("failed") is not True, result
    assert result["bulk_operation"]["status"] == "pending"
    assert proxy.received == []


# --- a failed operation whose error echoes the credential: scrubbed from every output ----------------------------


def assert_no_secret(text: str) -> None:
    for part in SECRET_PARTS:
        assert part not in text


@pytest.mark.parametrize("command", ["status", "wait"])
def test_command_scrubs_an_echoed_credential_from_the_facts_and_the_error(command: str) -> None:
    with HostileServer(echo_failed_operation()) as server:
        _seconds, result = run_command(command, ACCOUNT_ID, OPERATION_ID, base_url=server.base_url)
    assert result.returncode == (0 if command == "status" else 1), result.stderr
    assert json.loads(result.stdout)["bulk_operation"]["error"] == "invalid list item: Bearer ***"
    assert_no_secret(result.stdout + result.stderr)


def test_module_scrubs_an_echoed_credential(tmp_path: Path) -> None:
    with HostileServer(echo_failed_operation()) as server:
        _seconds, result = run_module(tmp_path, base_url=server.base_url, wait=True)
    assert result["error_type"] == "OperationFailedError"
    assert result["bulk_operation"]["error"] == "invalid list item: Bearer ***"
    assert_no_secret(json.dumps(result))


@pytest.mark.parametrize("fail", [True, False], ids=["fails-the-deploy", "recorded-in-outputs"])
def test_pulumi_scrubs_an_echoed_credential_from_outputs_and_errors(fail: bool) -> None:
    with HostileServer(echo_failed_operation()) as server:
        config = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": server.base_url}
        with provider_server(config) as provider:
            inputs = {"account_id": ACCOUNT, "operation_id": OPERATION_ID, "fail_on_operation_failure": fail}
            checked = provider.check(inputs)
            if fail:
                with pytest.raises(ProviderCallError) as info:
                    provider.create(checked.inputs)
                assert "invalid list item: Bearer ***" in info.value.message
                assert_no_secret(info.value.details)
            else:
                _id, outs = provider.create(checked.inputs)
                assert outs["error"] == "invalid list item: Bearer ***"
                assert_no_secret(json.dumps(outs))
            assert_no_secret(provider.stderr)


# --- Retry-After as an HTTP-date, 5,000 digits or inf: honoured, bounded, never a crash or an Infinity -----------


def rate_limited(retry_after: str) -> bytes:
    body = envelope_bytes(None, success=False, errors=[{"code": 971, "message": "Please wait and consider throttling"}])
    return http_response(body, status="429 Too Many Requests", headers=[("Retry-After", retry_after)])


def strict_json(text: str) -> Dict[str, Any]:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON result")

    result: Dict[str, Any] = json.loads(text, parse_constant=refuse)
    return result


def test_command_wait_ends_at_once_when_retry_after_is_a_date_past_its_deadline() -> None:
    an_hour_ahead = email.utils.formatdate(time.time() + 3600, usegmt=True)
    with HostileServer(answer(rate_limited(an_hour_ahead))) as server:
        seconds, result = run_command("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "120", base_url=server.base_url)
    assert result.returncode == 4, result.stderr
    assert "HTTP 429" in result.stderr
    assert seconds < STARTUP
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("retry_after", "reported"), [("9" * 5000, 86400.0), ("inf", None)], ids=["5000-digits", "inf"]
)
def test_module_reports_a_hostile_retry_after_as_finite_json(tmp_path: Path, retry_after: str, reported: Any) -> None:
    with HostileServer(answer(rate_limited(retry_after))) as server:
        path = tmp_path / "args.json"
        params = {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "api_token": TOKEN}
        path.write_text(
            json.dumps(
                {"ANSIBLE_MODULE_ARGS": {**params, "base_url": server.base_url, "wait": True, "wait_timeout": 2}}
            )
        )
        output = subprocess.run(
            [sys.executable, "-m", MODULE, str(path)], capture_output=True, text=True, env=environment(), check=False
        ).stdout
    result = strict_json(output)
    assert result["error_type"] == "RateLimitedError"
    if reported is None:  # not honoured: at most the request budget's own short pause is reported
        assert result.get("retry_after") is None or 0 <= result["retry_after"] <= 1
    else:
        assert result.get("retry_after") == reported
    assert "unexpected" not in result["msg"]


# --- terminal controls in server text: neutralized before they reach stderr -----------------------------------

HOSTILE_TEXT = "\x1b[2J\x1b[31mfake prompt$ \u202eevil\u202c\r\nforged line"
TERMINAL_CONTROLS = ("\x1b", "\u202e", "\u202c", "\r", "\x9b")


def escaping_answers() -> Dict[str, bytes]:
    location = ("https://elsewhere.example/" + HOSTILE_TEXT.replace("\r\n", "")).encode("utf-8").decode("latin-1")
    return {
        "failed-operation-error": http_response(operation_bytes("failed", error=HOSTILE_TEXT)),
        "errors-message": http_response(
            envelope_bytes(None, success=False, errors=[{"code": 10000, "message": HOSTILE_TEXT}]),
            status="403 Forbidden",
        ),
        "location": http_response(status="302 Found", headers=[("Location", location)]),
    }


@pytest.mark.parametrize("name", sorted(escaping_answers()))
def test_command_neutralizes_terminal_controls_quoted_from_the_server(name: str) -> None:
    with HostileServer(answer(escaping_answers()[name])) as server:
        _seconds, result = run_command("wait", ACCOUNT_ID, OPERATION_ID, "--timeout", "5", base_url=server.base_url)
    assert result.returncode in (1, 4), result.stderr
    (line,) = result.stderr.strip().split("\n")
    assert "fake prompt$" in line
    for char in TERMINAL_CONTROLS:
        assert char not in result.stderr + result.stdout


# --- numbers outside their bounds: a validation error naming the option, before any request ----------------------


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("timeout", 1e10, "Invalid timeout: expected at most 600 seconds"),
        ("timeout", 0, "Invalid timeout: expected more than zero seconds"),
        ("wait_max_interval", 1e-6, "Invalid wait_max_interval: expected at least 1 second"),
        ("wait_timeout", 1e10, "Invalid wait_timeout: expected at most 86400 seconds"),
    ],
)
def test_module_refuses_numbers_outside_their_bounds(tmp_path: Path, option: str, value: float, problem: str) -> None:
    with HostileServer(answer(PENDING)) as server:
        _seconds, result = run_module(tmp_path, base_url=server.base_url, wait=True, **{option: value})
    assert result["error_type"] == "ValidationError"
    assert result["msg"].startswith(problem)
    assert server.requests == []
