"""bulk_operation_info: argument handling, and how the module turns the core's answer or error into a result.

Each test runs the module's ``main()`` for real (argument parsing, check mode, no_log masking, ``exit_json`` /
``fail_json`` printing JSON) with only the core's one call replaced, so no HTTP happens here.
"""

from __future__ import annotations

import json
import re

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import ansible_module
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AuthenticationError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.modules import bulk_operation_info as module_under_test

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OPERATION_ID = "4da8780eeb215e6cb7f48dd981c4ea02"
TOKEN = "unit-test-token-Sn3lZJTBX6kkg7OdcBUA"
API_KEY = "unit-test-key-144c9defac04969c7bf"
EMAIL = "user@example.com"
COMPLETED = BulkOperationFacts(id=OPERATION_ID, status="completed", completed_at="2024-05-01T08:00:00Z")
FAILED = BulkOperationFacts(
    id=OPERATION_ID, status="failed", completed_at="2024-05-01T08:00:00Z", error="10.0.0.0/7 is not a valid prefix"
)
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


class CoreStub:
    """Stands in for ``operations.bulk_operation_info``: records the params, then answers or raises."""

    def __init__(self):
        self.calls = []
        self.answer = {"bulk_operation": COMPLETED.to_dict()}
        self.error = None

    def __call__(self, params):
        self.calls.append(dict(params))
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture
def core(monkeypatch):
    stub = CoreStub()
    monkeypatch.setattr(module_under_test, "bulk_operation_info", stub)
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", True)
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CLOUDFLARE_BASE_URL", raising=False)
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


def test_passes_every_option_to_the_core_in_one_call_and_reports_unchanged(core, capsys):
    code, result = run_module(capsys, **minimal())

    assert code == 0
    assert result["changed"] is False
    assert result["bulk_operation"] == COMPLETED.to_dict()
    assert len(core.calls) == 1
    assert core.calls[0] == {
        "account_id": ACCOUNT_ID,
        "operation_id": OPERATION_ID,
        "operations": None,
        "api_token": TOKEN,
        "account_email": None,
        "account_api_key": None,
        "base_url": None,
        "validate_certs": True,
        "timeout": 30.0,
        "wait": False,
        "wait_timeout": 900.0,
        "wait_max_interval": 30.0,
    }


def test_returns_checks_and_elapsed_from_a_wait(core, capsys):
    core.answer = {"bulk_operation": COMPLETED.to_dict(), "checks": 3, "elapsed": 1.25}

    code, result = run_module(capsys, **minimal(wait=True))

    assert code == 0
    assert (result["checks"], result["elapsed"]) == (3, 1.25)
    assert core.calls[0]["wait"] is True


def test_check_mode_still_reads_and_reports_unchanged(core, capsys):
    code, result = run_module(capsys, _ansible_check_mode=True, **minimal())

    assert code == 0
    assert result["changed"] is False
    assert result["bulk_operation"]["status"] == "completed"
    assert len(core.calls) == 1


def test_converts_numbers_given_as_strings(core, capsys):
    code, result = run_module(capsys, **minimal(wait="yes", wait_timeout="5", wait_max_interval="2.5", timeout="10"))

    assert code == 0, result
    call = core.calls[0]
    assert (call["wait"], call["wait_timeout"], call["wait_max_interval"], call["timeout"]) == (True, 5.0, 2.5, 10.0)


def test_rejects_a_wait_timeout_that_is_not_a_number_before_calling_the_core(core, capsys):
    code, result = run_module(capsys, **minimal(wait_timeout="soon"))

    assert code == 1
    assert "wait_timeout" in result["msg"]
    assert core.calls == []


def test_requires_an_operation_id_or_operations(core, capsys):
    args = minimal()
    del args["operation_id"]

    code, result = run_module(capsys, **args)

    assert code == 1
    assert result["msg"] == "one of the following is required: operation_id, operations"
    assert core.calls == []


def test_refuses_an_operation_id_together_with_operations(core, capsys):
    code, result = run_module(capsys, **minimal(operations=[{"operation_id": OPERATION_ID}]))

    assert code == 1
    assert "mutually exclusive" in result["msg"]
    assert core.calls == []


def test_leaves_a_missing_account_id_to_the_core_which_falls_back_to_the_environment(core, capsys):
    args = minimal()
    del args["account_id"]

    code, _result = run_module(capsys, **args)

    assert code == 0
    assert core.calls[0]["account_id"] is None


@pytest.mark.parametrize("legacy", [{"account_email": EMAIL}, {"account_api_key": API_KEY}])
def test_refuses_a_token_together_with_the_legacy_scheme(core, capsys, legacy):
    code, result = run_module(capsys, **minimal(**legacy))

    assert code == 1
    assert result["msg"].startswith("parameters are mutually exclusive: api_token|")
    assert core.calls == []


@pytest.mark.parametrize("half", [{"account_email": EMAIL}, {"account_api_key": API_KEY}])
def test_requires_account_email_and_account_api_key_together(core, capsys, half):
    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID, **half)

    assert code == 1
    assert result["msg"] == "parameters are required together: account_email, account_api_key"
    assert core.calls == []


def test_accepts_the_legacy_scheme_and_masks_the_key(core, capsys):
    code, result = run_module(
        capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID, account_email=EMAIL, account_api_key=API_KEY
    )

    assert code == 0
    assert (core.calls[0]["account_email"], core.calls[0]["account_api_key"]) == (EMAIL, API_KEY)
    assert result["invocation"]["module_args"]["account_api_key"] == NO_LOG_PLACEHOLDER
    assert API_KEY not in json.dumps(result)


def test_leaves_credentials_to_the_core_when_none_are_given(core, capsys):
    code, result = run_module(capsys, account_id=ACCOUNT_ID, operation_id=OPERATION_ID)

    assert code == 0, result
    assert core.calls[0]["api_token"] is None


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
    core.error = ValidationError("base_url", "credentials must not be embedded in the URL; use the auth options.")
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
def test_invalid_ids_fail_in_the_real_core_before_any_request(monkeypatch, capsys, bad, parameter):
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", True)
    # An unroutable endpoint: had the core sent anything, the error would be a transport error.
    code, result = run_module(capsys, **minimal(base_url="http://127.0.0.1:9/client/v4", **bad))

    assert code == 1
    assert result["error_type"] == "ValidationError"
    assert result["msg"].startswith(f"Invalid {parameter}: ")


def test_fails_clearly_without_the_requests_library(core, capsys, monkeypatch):
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", False)

    code, result = run_module(capsys, **minimal())

    assert code == 1
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert core.calls == []


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
