"""BulkOperation's schema: defaults, checks, what makes a diff, and the flat outputs (its state format)."""

from __future__ import annotations

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID as OPERATION
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from pulumi_provider import BulkOperation, BulkOperationArgs
from pulumi_provider.properties import (
    BULK_OPERATION,
    INPUT_PROPERTIES,
    BulkOperationInputs,
    facts_from_outputs,
    outputs,
)

check_inputs = BULK_OPERATION.check
changed_properties = BULK_OPERATION.changed

CHECKED = {
    "account_id": ACCOUNT,
    "operation_id": OPERATION,
    "wait": True,
    "wait_timeout": DEFAULT_WAIT_TIMEOUT,
    "wait_max_interval": DEFAULT_MAX_INTERVAL,
    "fail_on_operation_failure": True,
}
COMPLETED = BulkOperationFacts(id=OPERATION, status="completed", completed_at="2024-05-01T10:00:00Z")


def test_check_fills_in_defaults_for_omitted_inputs() -> None:
    inputs, failures = check_inputs({"account_id": ACCOUNT, "operation_id": OPERATION, "__provider": "pickle"})
    assert failures == []
    assert inputs == CHECKED


def test_check_treats_null_optional_inputs_as_their_defaults() -> None:
    inputs, failures = check_inputs({"account_id": ACCOUNT, "operation_id": OPERATION, "wait_timeout": None})
    assert failures == []
    assert inputs["wait_timeout"] == DEFAULT_WAIT_TIMEOUT


def test_check_reports_one_failure_per_bad_property_with_the_core_rule() -> None:
    _, failures = check_inputs(
        {
            "account_id": "my-account",
            "operation_id": "not an id!",
            "wait": "yes",
            "wait_timeout": -1,
            "wait_max_interval": 0,
            "fail_on_operation_failure": 1,
        }
    )
    reasons = dict(failures)
    assert list(reasons) == list(INPUT_PROPERTIES)
    assert "32 hexadecimal characters" in reasons["account_id"]
    assert "'my-account'" in reasons["account_id"]
    assert "returned by a list items write" in reasons["operation_id"]
    assert "true or false" in reasons["wait"]
    assert "zero or more seconds" in reasons["wait_timeout"]
    assert "more than zero seconds" in reasons["wait_max_interval"]
    assert "true or false" in reasons["fail_on_operation_failure"]


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("wait_max_interval", 1e-6, "at least 1 second"),
        ("wait_max_interval", 7200, "at most 3600 seconds"),
        ("wait_timeout", 1e10, "at most 86400 seconds"),
    ],
)
def test_check_refuses_numbers_outside_the_cores_bounds(name: str, value: float, problem: str) -> None:
    _, failures = check_inputs({"account_id": ACCOUNT, "operation_id": OPERATION, name: value})
    assert [failure[0] for failure in failures] == [name]
    assert problem in failures[0][1]


def test_check_normalizes_an_upper_case_account_id_to_the_form_cloudflare_routes() -> None:
    inputs, failures = check_inputs({"account_id": ACCOUNT.upper(), "operation_id": OPERATION})
    assert failures == []
    assert inputs["account_id"] == ACCOUNT


def test_check_requires_account_and_operation_ids() -> None:
    _, failures = check_inputs({})
    assert [name for name, _ in failures] == ["account_id", "operation_id"]


def test_check_accepts_zero_wait_timeout_meaning_check_once() -> None:
    _, failures = check_inputs({**CHECKED, "wait_timeout": 0})
    assert failures == []


@pytest.mark.parametrize("unknown", [Unknown(), UNKNOWN], ids=["as-served", "wire-sentinel"])
def test_check_passes_values_not_known_yet_through_unchecked(unknown: object) -> None:
    inputs, failures = check_inputs({"account_id": ACCOUNT, "operation_id": unknown})
    assert failures == []
    assert inputs["operation_id"] is unknown


def test_check_rejects_a_property_the_resource_does_not_take() -> None:
    _, failures = check_inputs({**CHECKED, "api_token": "x"})
    assert failures[0][0] == "api_token"
    assert "unknown property" in failures[0][1]


def test_changed_properties_ignore_the_pickled_provider_and_the_facts() -> None:
    olds = {**outputs(BulkOperationInputs.from_props(CHECKED), COMPLETED), "__provider": "old pickle"}
    news = {**CHECKED, "__provider": "new pickle"}
    assert changed_properties(olds, news) == []


def test_changed_properties_name_each_changed_input() -> None:
    news = {**CHECKED, "operation_id": "other", "wait_timeout": 60.0}
    assert changed_properties(CHECKED, news) == ["operation_id", "wait_timeout"]


@pytest.mark.parametrize("unknown", [Unknown(), UNKNOWN], ids=["as-served", "wire-sentinel"])
def test_changed_properties_count_a_value_not_known_yet_as_changed(unknown: object) -> None:
    assert changed_properties(CHECKED, {**CHECKED, "account_id": unknown}) == ["account_id"]


def test_changed_properties_read_missing_old_inputs_as_defaults() -> None:
    olds = {"account_id": ACCOUNT, "operation_id": OPERATION, "status": "completed"}
    assert changed_properties(olds, CHECKED) == []


def test_outputs_are_the_inputs_and_the_facts_flat_without_reserved_id() -> None:
    outs = outputs(BulkOperationInputs.from_props(CHECKED), COMPLETED)
    assert outs == {
        **CHECKED,
        "status": "completed",
        "finished": True,
        "succeeded": True,
        "completed_at": "2024-05-01T10:00:00Z",
        "error": None,
    }


def test_facts_round_trip_through_the_outputs() -> None:
    failed = BulkOperationFacts(id=OPERATION, status="failed", completed_at="2024-05-01T10:00:00Z", error="bad item")
    assert facts_from_outputs(outputs(BulkOperationInputs.from_props(CHECKED), failed)) == failed


def test_facts_from_outputs_without_a_status_are_none() -> None:
    assert facts_from_outputs(CHECKED) is None


def test_args_and_resource_match_the_schema() -> None:
    BULK_OPERATION.verify(BulkOperationArgs, BulkOperation)


def test_inputs_dataclass_matches_the_schema_field_for_field() -> None:
    assert tuple(BulkOperationInputs.__dataclass_fields__) == INPUT_PROPERTIES
