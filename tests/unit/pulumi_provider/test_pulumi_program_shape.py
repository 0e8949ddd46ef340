"""What a Pulumi program registers, checked with ``pulumi.runtime.set_mocks`` (which never calls the provider)."""

from __future__ import annotations

import base64
import runpy
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import dill
import pulumi
import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID as OPERATION
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import write_items
from ansible_collections.edgeops.cloudflare_lists.tests.support.pulumi import GOOD_ITEMS, TOKEN

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import (
    BulkOperation,
    BulkOperationArgs,
    BulkOperationProvider,
    get_bulk_operation_output,
)

TYPE_TOKEN = "pulumi-python:dynamic/cloudflare-lists:BulkOperation"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "pulumi" / "__main__.py"
FACTS = {"status": "completed", "finished": True, "succeeded": True, "completed_at": "2024-05-01T10:00:00Z"}


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers each registration as a provider that saw a completed operation would."""

    def __init__(self) -> None:
        self.registered: List[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> Tuple[Optional[str], Dict[str, Any]]:
        self.registered.append(args)
        return args.inputs.get("operation_id", args.name), {**args.inputs, **FACTS}

    def call(self, args: pulumi.runtime.MockCallArgs) -> Tuple[Dict[str, Any], None]:
        return {}, None  # the program makes no provider function call


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    # The stack holds a token: the program side must never copy it anywhere.
    pulumi.runtime.set_all_config({"cloudflare:apiToken": TOKEN})
    yield recording
    pulumi.runtime.set_all_config({})


def unsecret(value: Any) -> Any:
    return value["value"] if isinstance(value, dict) and "value" in value else value


@pulumi.runtime.test
def test_resource_registers_its_pinned_type_with_every_input_defaulted(mocks: RecordingMocks) -> Any:
    op = BulkOperation("update", account_id=ACCOUNT, operation_id=OPERATION)

    def check(_: Any) -> None:
        (args,) = mocks.registered
        assert args.typ == TYPE_TOKEN
        assert {k: v for k, v in args.inputs.items() if k != "__provider"} == {
            "account_id": ACCOUNT,
            "operation_id": OPERATION,
            "wait": True,
            "wait_timeout": 900.0,
            "wait_max_interval": 30.0,
            "fail_on_operation_failure": True,
        }

    return op.urn.apply(check)


@pulumi.runtime.test
def test_resource_exposes_each_fact_as_a_flat_output(mocks: RecordingMocks) -> Any:
    op = BulkOperation("update", account_id=ACCOUNT, operation_id=OPERATION)

    def check(values: List[Any]) -> None:
        assert values == [OPERATION, ACCOUNT, OPERATION, "completed", True, True, "2024-05-01T10:00:00Z", None]

    return pulumi.Output.all(
        op.id, op.account_id, op.operation_id, op.status, op.finished, op.succeeded, op.completed_at, op.error
    ).apply(check)


@pulumi.runtime.test
def test_provider_input_is_a_by_reference_pickle_without_the_stack_token(mocks: RecordingMocks) -> Any:
    op = BulkOperation("update", account_id=ACCOUNT, operation_id=OPERATION)

    def check(_: Any) -> None:
        blob = base64.b64decode(unsecret(mocks.registered[0].inputs["__provider"]))
        assert TOKEN.encode() not in blob
        assert b"pulumi_provider.bulk_operation" in blob
        assert isinstance(dill.loads(blob), BulkOperationProvider)

    return op.urn.apply(check)


@pulumi.runtime.test
def test_resource_takes_ids_that_are_outputs_of_other_resources(mocks: RecordingMocks) -> Any:
    op = BulkOperation(
        "update", account_id=pulumi.Output.from_input(ACCOUNT), operation_id=pulumi.Output.from_input(OPERATION)
    )
    return op.operation_id.apply(lambda value: assert_equal(value, OPERATION))


@pulumi.runtime.test
def test_from_args_registers_the_same_inputs_as_keywords(mocks: RecordingMocks) -> Any:
    args = BulkOperationArgs(account_id=ACCOUNT, operation_id=OPERATION, wait=False, wait_timeout=5)
    first = BulkOperation.from_args("a", args)
    second = BulkOperation("b", account_id=ACCOUNT, operation_id=OPERATION, wait=False, wait_timeout=5)

    def check(_: Any) -> None:
        a, b = ({k: v for k, v in r.inputs.items() if k != "__provider"} for r in mocks.registered)
        assert a == b

    return pulumi.Output.all(first.urn, second.urn).apply(check)


@pulumi.runtime.test
def test_example_program_exports_the_facts(mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_OPERATION_ID", OPERATION)
    program = runpy.run_path(str(EXAMPLE))
    stack = pulumi.runtime.settings.get_root_resource()
    assert stack is not None
    exported = {name: stack.outputs[name] for name in program["EXPORTS"]}  # type: ignore[attr-defined]

    def check(values: Dict[str, Any]) -> None:
        assert values == {"account_id": ACCOUNT, "operation_id": OPERATION, "error": None, **FACTS}

    return pulumi.Output.all(**exported).apply(check)


@pulumi.runtime.test
def test_get_bulk_operation_output_reads_once_the_ids_are_known(mocks: RecordingMocks, emulator: Emulator) -> Any:
    pulumi.runtime.set_all_config({"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emulator.base_url})
    operation_id = write_items(emulator, GOOD_ITEMS)
    result = get_bulk_operation_output(pulumi.Output.from_input(ACCOUNT), pulumi.Output.from_input(operation_id))
    return result.apply(
        lambda facts: assert_equal((facts["operation_id"], facts["status"]), (operation_id, "completed"))
    )


def assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected
