"""CloudflareListsModule: the shared options and constraints, secret masking, the client, and one way to fail.

Each test builds the wrapper around the real ``AnsibleModule`` (argument parsing, no_log masking, ``exit_json`` and
``fail_json`` printing JSON); no request is sent.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import ansible_module, argspec
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_module import (
    CloudflareListsModule,
    merge_specs,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ConflictError,
    OperationFailedError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "unit-test-token-Sn3lZJTBX6kkg7OdcBUA"
OWN_SPEC = {"name": {"type": "str", "required": True}}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_TOKEN",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def run_wrapped(capsys, job, args, **wrapper_options):
    """Build the wrapper with these module arguments and run ``job``; return (exit code, printed result)."""
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        CloudflareListsModule(OWN_SPEC, **wrapper_options).run(job)
    return exited.value.code, json.loads(capsys.readouterr().out)


def test_merges_own_account_connection_and_wait_options_in_that_order():
    spec = CloudflareListsModule.full_argument_spec(OWN_SPEC, wait=argspec.WRITE_WAIT_ARGUMENT_SPEC)

    assert list(spec) == [
        "name",
        *argspec.ACCOUNT_ARGUMENT_SPEC,
        *argspec.CONNECTION_ARGUMENT_SPEC,
        *argspec.WRITE_WAIT_ARGUMENT_SPEC,
    ]


def test_leaves_out_the_account_and_wait_options_when_not_asked_for():
    spec = CloudflareListsModule.full_argument_spec(OWN_SPEC, account=False)

    assert set(spec) == {"name", *argspec.CONNECTION_ARGUMENT_SPEC}


def test_merged_spec_is_a_copy_so_modules_cannot_change_the_shared_specs():
    spec = CloudflareListsModule.full_argument_spec(OWN_SPEC)
    spec["api_token"]["no_log"] = False

    assert argspec.CONNECTION_ARGUMENT_SPEC["api_token"]["no_log"] is True


def test_an_option_defined_twice_is_refused():
    with pytest.raises(ValueError, match="'api_token' is defined twice"):
        merge_specs({"api_token": {"type": "str"}}, argspec.CONNECTION_ARGUMENT_SPEC)


def test_exits_with_the_job_result_and_changed_false_by_default(capsys):
    code, result = run_wrapped(capsys, lambda module: {"answer": module.params["name"]}, {"name": "blocklist"})

    assert code == 0
    assert (result["answer"], result["changed"]) == ("blocklist", False)


def test_a_core_error_fails_once_with_its_message_and_facts(capsys):
    facts = BulkOperationFacts(id="4da8780eeb215e6cb7f48dd981c4ea02", status="failed", error="list is full")

    def job(module):
        raise OperationFailedError("Bulk operation 4da8780eeb215e6cb7f48dd981c4ea02 failed: list is full", facts=facts)

    code, result = run_wrapped(capsys, job, {"name": "blocklist"})

    assert code == 1
    assert result["msg"] == "Bulk operation 4da8780eeb215e6cb7f48dd981c4ea02 failed: list is full"
    assert result["error_type"] == "OperationFailedError"
    assert result["bulk_operation"] == facts.to_dict()
    assert result["changed"] is False


def test_a_failure_reports_cloudflare_errors_and_http_status(capsys):
    def job(module):
        raise ConflictError("in use", http_status=409, cloudflare_errors=[{"code": 10021, "message": "in use"}])

    code, result = run_wrapped(capsys, job, {"name": "blocklist"})

    assert code == 1
    assert (result["http_status"], result["cloudflare_errors"]) == (409, [{"code": 10021, "message": "in use"}])


def test_masks_a_token_from_the_environment_in_any_message(capsys, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)

    def job(module):
        raise ConflictError("refused " + TOKEN)

    code, result = run_wrapped(capsys, job, {"name": "blocklist"})

    assert code == 1
    assert TOKEN not in json.dumps(result)


def test_refuses_a_token_with_the_legacy_scheme_before_the_job_runs(capsys):
    ran = []
    code, result = run_wrapped(
        capsys, ran.append, {"name": "blocklist", "api_token": TOKEN, "account_email": "user@example.com"}
    )

    assert code == 1
    assert result["msg"].startswith("parameters are mutually exclusive: api_token|")
    assert ran == []


def test_applies_the_module_own_constraints_too(capsys):
    code, result = run_wrapped(
        capsys,
        lambda module: {},
        {"name": "blocklist", "account_id": ACCOUNT_ID},
        mutually_exclusive=[("name", "account_id")],
    )

    assert code == 1
    assert result["msg"] == "parameters are mutually exclusive: name|account_id"


def test_fails_clearly_without_the_requests_library(capsys, monkeypatch):
    monkeypatch.setattr(ansible_module, "HAS_REQUESTS", False)

    code, result = run_wrapped(capsys, lambda module: {}, {"name": "blocklist"})

    assert code == 1
    assert "Failed to import the required Python library (requests)" in result["msg"]


def test_account_id_falls_back_to_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID.upper())

    code, result = run_wrapped(capsys, lambda module: {"account": module.account_id()}, {"name": "blocklist"})

    assert (code, result["account"]) == (0, ACCOUNT_ID)


def test_a_missing_account_id_fails_naming_the_option_and_the_variable(capsys):
    code, result = run_wrapped(capsys, lambda module: {"account": module.account_id()}, {"name": "blocklist"})

    assert code == 1
    assert result["error_type"] == "ValidationError"
    assert "account_id" in result["msg"] and "CLOUDFLARE_ACCOUNT_ID" in result["msg"]


def test_wait_options_become_the_core_policy(capsys):
    def job(module):
        policy = module.wait_policy()
        return {"timeout": policy.timeout, "max_interval": policy.max_interval}

    code, result = run_wrapped(
        capsys,
        job,
        {"name": "blocklist", "wait_timeout": "12", "wait_max_interval": 2},
        wait=argspec.WRITE_WAIT_ARGUMENT_SPEC,
    )

    assert code == 0
    assert (result["timeout"], result["max_interval"]) == (12.0, 2.0)


def test_wait_policy_is_the_default_one_for_a_module_without_wait_options(capsys):
    def job(module):
        policy = module.wait_policy()
        return {"timeout": policy.timeout, "max_interval": policy.max_interval}

    code, result = run_wrapped(capsys, job, {"name": "blocklist"})

    assert code == 0
    assert (result["timeout"], result["max_interval"]) == (DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_INTERVAL)


def test_client_takes_the_connection_options(capsys):
    def job(module):
        with module.client() as client:
            return {"base_url": client.base_url, "timeout": client.timeout, "verify": client.validate_certs}

    code, result = run_wrapped(
        capsys,
        job,
        {
            "name": "blocklist",
            "api_token": TOKEN,
            "base_url": "http://127.0.0.1:9/client/v4",
            "timeout": 5,
            "validate_certs": False,
        },
    )

    assert code == 0, result
    assert (result["base_url"], result["timeout"], result["verify"]) == ("http://127.0.0.1:9/client/v4", 5.0, False)


def test_check_and_diff_modes_are_exposed(capsys):
    code, result = run_wrapped(
        capsys,
        lambda module: {"check": module.check_mode, "diff": module.diff_mode},
        {"name": "blocklist", "_ansible_check_mode": True, "_ansible_diff": True},
    )

    assert (code, result["check"], result["diff"]) == (0, True, True)
