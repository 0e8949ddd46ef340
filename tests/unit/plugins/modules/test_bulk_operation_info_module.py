"""bulk_operation_info: argument handling, its core calls, and how it turns the core's answer or error into a result.

Each test runs the module's ``main()`` for real (argument parsing, check mode, no_log masking, ``exit_json`` /
``fail_json`` printing JSON). The first tests replace the core's calls (opening the client, a check, a wait) with a
stub that records what they were given, so no HTTP happens; the last ones run the real core against answers
mocked with ``responses``.
"""

from __future__ import annotations

import json
import re

import pytest
import responses
from ansible.module_utils.testing import patch_module_args
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import ansible_module
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AuthenticationError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    WaitOutcome,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.modules import bulk_operation_info as module_under_test

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OPERATION_ID = "4da8780eeb215e6cb7f48dd981c4ea02"
TOKEN = "unit-test-token-Sn3lZJTBX6kkg7OdcBUA"
API_KEY = "unit-test-key-144c9defac04969c7bf"
EMAIL = "user@example.com"
BASE_URL = "https://api.cloudflare.com/client/v4"
OPERATION_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{OPERATION_ID}"
COMPLETED = BulkOperationFacts(id=OPERATION_ID, status="completed", completed_at="2024-05-01T08:00:00Z")
FAILED = BulkOperationFacts(
    id=OPERATION_ID, status="failed", completed_at="2024-05-01T08:00:00Z", error="10.0.0.0/7 is not a valid prefix"
)
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
FACT_KEYS = {"id", "status", "finished", "succeeded", "completed_at", "error"}


class FakeClient:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None


class CoreStub:
    """Stands in for the core's calls the module makes: it records each, then answers or raises ``error``.

    ``connection``: what the client was opened with; ``calls``: ``("get", account_id, operation_id)`` or
    ``("wait", account_id, operation_id, policy)``.
    """

    def __init__(self):
        self.connection = None
        self.calls = []
        self.facts = COMPLETED
        self.outcome = WaitOutcome(COMPLETED, checks=1, elapsed=0.0)
        self.error = None

    def open_client(self, *args, **kwargs):
        self.connection = (args, kwargs)
        return FakeClient()

    def get(self, _client, account_id, operation_id):
        self.calls.append(("get", account_id, operation_id))
        if self.error is not None:
            raise self.error
        return self.facts

    def wait(self, _client, account_id, operation_id, policy=None, _on_progress=None):
        self.calls.append(("wait", account_id, operation_id, policy))
        if self.error is not None:
            raise self.error
        return self.outcome


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CLOUDFLARE_BASE_URL", raising=False)
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", True)


@pytest.fixture
def core(monkeypatch):
    stub = CoreStub()
    monkeypatch.setattr(ansible_module, "open_client", stub.open_client)
    monkeypatch.setattr(module_under_test, "get_bulk_operation", stub.get)
    monkeypatch.setattr(module_under_test, "wait_for_bulk_operation", stub.wait)
    return stub


def run_module(capsys, **args):
    """Run the module with these arguments; return (exit code, the JSON result it printed)."""
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        module_under_test.main()
    out = capsys.readouterr().out
    return exited.value.code, json.loads(out)


def minimal(**extra):
    args = {"account_id": ACCOUNT_ID, "operation_id": OPERATION_ID, "api_token": TOKEN}
    args.update(extra)
    return args


def test_opens_the_client_from_the_connection_options_checks_once_and_reports_unchanged(core, capsys):
    code, result = run_module(capsys, **minimal())

    assert code == 0
    assert result["changed"] is False
    assert result["bulk_operation"] == COMPLETED.to_dict()
    assert core.connection == ((TOKEN, None, None, None), {"timeout": 30.0, "validate_certs": True})
    assert core.calls == [("get", ACCOUNT_ID, OPERATION_ID)]


def test_returns_checks_and_elapsed_from_a_wait(core, capsys):
    core.outcome = WaitOutcome(COMPLETED, checks=3, elapsed=1.25)

    code, result = run_module(capsys, **minimal(wait=True))

    assert code == 0
    assert (result["checks"], result["elapsed"]) == (3, 1.25)
    (call,) = core.calls
    assert call[:3] == ("wait", ACCOUNT_ID, OPERATION_ID)
    assert (call[3].timeout, call[3].max_interval) == (DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_INTERVAL)


def test_check_mode_still_reads_and_reports_unchanged(core, capsys):
    code, result = run_module(capsys, _ansible_check_mode=True, **minimal())

    assert code == 0
    assert result["changed"] is False
    assert result["bulk_operation"]["status"] == "completed"
    assert len(core.calls) == 1


def test_converts_numbers_given_as_strings(core, capsys):
    code, result = run_module(capsys, **minimal(wait="yes", wait_timeout="5", wait_max_interval="2.5", timeout="10"))

    assert code == 0, result
    (call,) = core.calls
    assert call[0] == "wait"
    assert (call[3].timeout, call[3].max_interval, core.connection[1]["timeout"]) == (5.0, 2.5, 10.0)


def test_rejects_a_wait_timeout_that_is_not_a_number_before_calling_the_core(core, capsys):
    code, result = run_module(capsys, **minimal(wait_timeout="soon"))

    assert code == 1
    assert "wait_timeout" in result["msg"]
    assert (core.calls, core.connection) == ([], None)


def test_requires_an_operation_id_or_operations(core, capsys):
    args = minimal()
    del args["operation_id"]

    code, result = run_module(capsys, **args)

    assert code == 1
    assert result["msg"] == "one of the following is required: operation_id, operations"
    assert (core.calls, core.connection) == ([], None)


def test_refuses_an_operation_id_together_with_operations(core, capsys):
    code, result = run_module(capsys, **minimal(operations=[{"operation_id": OPERATION_ID}]))

    assert code == 1
    assert "mutually exclusive" in result["msg"]
    assert (core.calls, core.connection) == ([], None)


def test_takes_a_missing_account_id_from_the_environment(core, capsys, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID)
    args = minimal()
    del args["account_id"]

    code, _result = run_module(capsys, **args)

    assert code == 0
    assert core.calls == [("get", ACCOUNT_ID, OPERATION_ID)]


@pytest.mark.parametrize("legacy", [{"account_email": EMAIL}, {"account_api_key": API_KEY}])
def test_refuses_a_token_together_with_the_legacy_scheme(core, capsys, legacy):
    code, result = run_module(capsys, **minimal(**legacy))

    assert code == 1
    assert result["msg"].startswith("parameters are mutually exclusive: api_token|")
    assert (core.calls, core.connection) == ([], None)


@pytest.mark.parametrize("half", [{"account_email": EMAIL}, {"account_api_key": API_KEY}])
def test_requires_account_email_and_account_api_key_together(core, capsys, half):
    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID, **half)

    assert code == 1
    assert result["msg"] == "parameters are required together: account_email, account_api_key"
    assert (core.calls, core.connection) == ([], None)


def test_accepts_the_legacy_scheme_and_masks_the_key(core, capsys):
    code, result = run_module(
        capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID, account_email=EMAIL, account_api_key=API_KEY
    )

    assert code == 0
    assert core.connection[0] == (None, EMAIL, API_KEY, None)
    assert result["invocation"]["module_args"]["account_api_key"] == NO_LOG_PLACEHOLDER
    assert API_KEY not in json.dumps(result)


def test_leaves_credentials_to_the_core_when_none_are_given(core, capsys):
    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID)

    assert code == 0, result
    assert core.connection[0] == (None, None, None, None)


def test_masks_the_api_token_in_the_invocation(core, capsys):
    code, result = run_module(capsys, **minimal())

    assert code == 0
    assert result["invocation"]["module_args"]["api_token"] == NO_LOG_PLACEHOLDER
    assert TOKEN not in json.dumps(result)


@pytest.mark.parametrize("variable", ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN", "CLOUDFLARE_API_KEY"])
def test_masks_a_secret_taken_from_the_environment_wherever_it_appears(core, capsys, monkeypatch, variable):
    monkeypatch.setenv(variable, TOKEN)
    core.error = AuthenticationError("HTTP 403 for token " + TOKEN, http_status=403)

    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID)

    assert code == 1
    assert TOKEN not in json.dumps(result)
    # Ansible's mask (********), or the core's own (***) once this process has resolved the token.
    assert re.fullmatch(r"HTTP 403 for token \*{3,8}", result["msg"])


@pytest.mark.parametrize("where", ["option", "environment"])
def test_masks_the_userinfo_of_a_base_url_in_the_invocation(core, capsys, monkeypatch, where):
    base_url = "https://me:pa55-w0rd-xyz@api.example.com/client/v4"
    core.error = ValidationError(
        "base_url",
        "credentials must not be embedded in the URL; give them as api_token, or account_email and account_api_key.",
    )
    if where == "environment":
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", base_url)
        code, result = run_module(capsys, **minimal())
    else:
        code, result = run_module(capsys, **minimal(base_url=base_url))

    assert code == 1
    assert result["error_type"] == "ValidationError"
    assert "pa55-w0rd-xyz" not in json.dumps(result)
    if where == "option":
        assert result["invocation"]["module_args"]["base_url"] == "https://********@api.example.com/client/v4"


def test_fails_with_the_core_message_and_the_failed_operation_facts(core, capsys):
    core.error = OperationFailedError(
        f"Bulk operation {OPERATION_ID} failed: {FAILED.error}", facts=FAILED, checks=4, elapsed=2.5
    )

    code, result = run_module(capsys, **minimal(wait=True))

    assert code == 1
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"] == f"Bulk operation {OPERATION_ID} failed: 10.0.0.0/7 is not a valid prefix"
    assert result["error_type"] == "OperationFailedError"
    assert result["bulk_operation"] == FAILED.to_dict()
    assert (result["checks"], result["elapsed"]) == (4, 2.5)
    assert "exception" not in result


def test_fails_a_timed_out_wait_with_the_last_facts_and_the_time_waited(core, capsys):
    pending = BulkOperationFacts(id=OPERATION_ID, status="pending")
    core.error = WaitTimeoutError("still pending", timeout=1.0, facts=pending, checks=2, elapsed=1.0)

    code, result = run_module(capsys, **minimal(wait=True, wait_timeout=1))

    assert code == 1
    assert result["error_type"] == "WaitTimeoutError"
    assert result["bulk_operation"]["status"] == "pending"
    assert (result["timeout"], result["elapsed"], result["checks"]) == (1.0, 1.0, 2)


def test_reports_cloudflare_errors_and_http_status_of_refused_credentials(core, capsys):
    core.error = AuthenticationError(
        "refused", http_status=403, cloudflare_errors=[{"code": 10000, "message": "Authentication error"}]
    )

    code, result = run_module(capsys, **minimal())

    assert code == 1
    assert result["http_status"] == 403
    assert result["cloudflare_errors"] == [{"code": 10000, "message": "Authentication error"}]
    assert "bulk_operation" not in result


@pytest.mark.parametrize(
    "bad, parameter",
    [({"operation_id": "../x"}, "operation_id"), ({"account_id": "abc"}, "account_id")],
    ids=["operation_id", "account_id"],
)
@pytest.mark.parametrize("credentials", [True, False], ids=["with-credentials", "without-credentials"])
def test_invalid_ids_fail_in_the_real_core_before_any_request_or_credentials(capsys, bad, parameter, credentials):
    # An unroutable endpoint: had the core sent anything, the error would be a transport error.
    args = minimal(base_url="http://127.0.0.1:9/client/v4", **bad)
    if not credentials:
        del args["api_token"]
    code, result = run_module(capsys, **args)

    assert code == 1
    assert result["error_type"] == "ValidationError"
    assert result["msg"].startswith(f"Invalid {parameter}: ")


def test_fails_clearly_without_the_requests_library(core, capsys, monkeypatch):
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", False)

    code, result = run_module(capsys, **minimal())

    assert code == 1
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert (core.calls, core.connection) == ([], None)


def test_argument_spec_is_the_shared_specs_and_leaves_them_unchanged():
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import argspec

    spec = module_under_test.argument_spec()
    spec["api_token"]["no_log"] = False

    assert set(spec) == (
        set(argspec.BULK_OPERATION_ARGUMENT_SPEC)
        | set(argspec.CONNECTION_ARGUMENT_SPEC)
        | set(argspec.WAIT_ARGUMENT_SPEC)
    )
    assert argspec.CONNECTION_ARGUMENT_SPEC["api_token"]["no_log"] is True


# --- the real core, against answers mocked with responses -------------------------------------------------------


def envelope(result=None, success=True, errors=None):
    return {"success": success, "errors": errors or [], "messages": [], "result": result}


def operation(status, **extra):
    return {"id": OPERATION_ID, "status": status, **extra}


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def add(api, result=None, status=200, body=None, url=OPERATION_URL):
    if body is None:
        body = json.dumps(envelope(result if result is not None else operation("pending")))
    api.add(responses.GET, url, body=body, status=status)


def test_without_wait_returns_the_six_facts(api, capsys):
    add(api, operation("running"))
    code, result = run_module(capsys, **minimal())
    assert code == 0
    assert result["bulk_operation"] == {
        "id": OPERATION_ID,
        "status": "running",
        "finished": False,
        "succeeded": False,
        "completed_at": None,
        "error": None,
    }
    assert "checks" not in result
    assert len(api.calls) == 1


def test_without_wait_reports_failed_without_failing(api, capsys):
    add(api, operation("failed", completed="2024-05-01T12:00:00Z", error="too many items"))
    code, result = run_module(capsys, **minimal(wait=False))
    assert code == 0
    facts = result["bulk_operation"]
    assert set(facts) == FACT_KEYS
    assert (facts["status"], facts["finished"], facts["succeeded"]) == ("failed", True, False)
    assert facts["error"] == "too many items"


def test_with_wait_returns_facts_checks_and_elapsed(api, capsys):
    add(api, operation("completed", completed="2024-05-01T12:00:00+02:00"))
    code, result = run_module(capsys, **minimal(wait=True, wait_timeout=30))
    assert code == 0
    assert set(result) >= {"bulk_operation", "checks", "elapsed"}
    assert set(result["bulk_operation"]) == FACT_KEYS
    assert result["bulk_operation"]["completed_at"] == "2024-05-01T10:00:00Z"
    assert result["bulk_operation"]["succeeded"] is True
    assert result["checks"] == 1
    assert result["elapsed"] >= 0
    assert result["elapsed"] == round(result["elapsed"], 3)


def test_with_wait_fails_on_a_failed_operation_with_its_facts(api, capsys):
    add(api, operation("failed", error="bad item"))
    code, result = run_module(capsys, **minimal(wait=True))
    assert code == 1
    assert result["error_type"] == "OperationFailedError"
    assert "bad item" in result["msg"]
    assert result["bulk_operation"]["status"] == "failed"


def test_with_wait_timeout_zero_checks_once(api, capsys):
    add(api, operation("pending"))
    code, result = run_module(capsys, **minimal(wait=True, wait_timeout=0))
    assert code == 1
    assert result["error_type"] == "WaitTimeoutError"
    assert result["checks"] == 1
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("extra", "timeout", "max_interval"),
    [
        ({}, DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_INTERVAL),
        ({"wait_timeout": 42, "wait_max_interval": 5}, 42.0, 5.0),
        ({"wait_timeout": "7.5", "wait_max_interval": "2"}, 7.5, 2.0),
    ],
)
def test_builds_the_wait_policy_from_the_options(api, capsys, monkeypatch, extra, timeout, max_interval):
    add(api, operation("completed"))
    seen = []
    real = module_under_test.wait_for_bulk_operation

    def spy(client, account_id, operation_id, policy=None, on_progress=None):
        seen.append(policy)
        return real(client, account_id, operation_id, policy, on_progress)

    monkeypatch.setattr(module_under_test, "wait_for_bulk_operation", spy)
    code, result = run_module(capsys, **minimal(wait=True, **extra))
    assert code == 0, result
    assert (seen[0].timeout, seen[0].max_interval) == (timeout, max_interval)


def test_uses_credentials_and_base_url_from_the_environment(api, capsys, monkeypatch):
    add(api, operation("pending"), url=OPERATION_URL.replace(BASE_URL, "https://cf.example/v4"))
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "https://cf.example/v4")
    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID)
    assert code == 0, result
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_sends_email_and_key(api, capsys):
    add(api, operation("pending"))
    code, result = run_module(
        capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID, account_email=EMAIL, account_api_key=API_KEY
    )
    assert code == 0, result
    assert api.calls[0].request.headers["X-Auth-Key"] == API_KEY


@pytest.mark.parametrize(("given", "expected"), [({}, DEFAULT_TIMEOUT), ({"timeout": 7}, 7)])
def test_passes_the_request_timeout(api, capsys, given, expected):
    add(api, operation("pending"))
    code, result = run_module(capsys, **minimal(**given))
    assert code == 0, result
    assert api.calls[0].request.req_kwargs["timeout"][1] == expected


@pytest.mark.parametrize(
    ("extra", "verified"),
    [
        ({}, True),
        ({"validate_certs": True}, True),
        ({"validate_certs": False}, False),
    ],
)
def test_verifies_tls_unless_told_not_to(api, capsys, extra, verified):
    add(api, operation("pending"))
    code, result = run_module(capsys, **minimal(**extra))
    assert code == 0, result
    verify = api.calls[0].request.req_kwargs["verify"]
    assert (verify is not False) is verified


def test_a_refused_credential_is_a_typed_failure(api, capsys):
    add(api, status=403, body=json.dumps(envelope(None, success=False, errors=[{"code": 10000, "message": "no"}])))
    code, result = run_module(capsys, **minimal())
    assert code == 1
    assert result["error_type"] == "AuthenticationError"
    assert result["http_status"] == 403


def test_refuses_an_unsafe_base_url_before_any_request(api, capsys):
    code, result = run_module(capsys, **minimal(base_url="http://api.cloudflare.com/client/v4"))
    assert code == 1
    assert result["msg"].startswith("Invalid base_url: ")
    assert len(api.calls) == 0


def test_the_argument_spec_names_the_options_it_reads():
    names = set(module_under_test.argument_spec())
    assert names == {
        "api_token",
        "account_email",
        "account_api_key",
        "base_url",
        "validate_certs",
        "timeout",
        "wait",
        "wait_timeout",
        "wait_max_interval",
        "account_id",
        "operation_id",
        "operations",
    }
    assert module_under_test.argument_spec()["api_token"]["no_log"] is True
    assert module_under_test.argument_spec()["account_api_key"]["no_log"] is True
