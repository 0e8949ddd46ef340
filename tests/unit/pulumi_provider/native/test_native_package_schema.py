"""The package schema says what the provider really does: the same properties as the shared schemas, in order, the
same defaults, required exactly when the check refuses the input's absence, and a description for everything."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import KINDS
from pulumi.provider.experimental import provider as rpc

from pulumi_provider.connection import ConnectionSettings
from pulumi_provider.native import CloudflareListsProvider
from pulumi_provider.native.docs import REFERENCE_PATH, main, reference
from pulumi_provider.native.package_schema import package_schema
from pulumi_provider.native.resources import RESOURCE_TYPES
from pulumi_provider.native.wire import camel, to_value

ROOT = Path(__file__).resolve().parents[4]
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
SCHEMA = package_schema("1.2.3")

#: A valid program for each type that gives every input the schema lists.
EVERY_INPUT: Dict[str, Dict[str, Any]] = {
    "RulesList": {
        "accountId": ACCOUNT,
        "name": "blocklist",
        "kind": "ip",
        "description": "edge",
        "items": ["192.0.2.1", {"ip": "198.51.100.0/24", "comment": "scanner"}],
        "waitTimeout": 60,
        "allowEmpty": True,
        "maxRemovals": "10%",
        "adopt": True,
    },
    "ListItems": {
        "accountId": ACCOUNT,
        "listId": "2c0fc9fa937b11eaa1b71c4d701ab86e",
        "items": ["192.0.2.1"],
        "waitTimeout": 60,
        "allowEmpty": False,
        "maxRemovals": 5,
    },
    "BulkOperation": {
        "accountId": ACCOUNT,
        "operationId": "4da8780eeb215e6cb7f48dd981c4ea02",
        "wait": False,
        "waitTimeout": 60,
        "waitMaxInterval": 10,
        "failOnOperationFailure": False,
    },
}


@pytest.fixture(autouse=True)
def account_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An input the environment can give is not required."""
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)


def check(token: str, news: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """The provider's own check, as the server calls it."""
    request = rpc.CheckRequest(f"urn:pulumi:s::p::{token}::r", {}, {k: to_value(v) for k, v in news.items()}, b"")
    loop = asyncio.new_event_loop()  # not asyncio.run: it unsets the thread's loop, which other tests use
    try:
        response = loop.run_until_complete(CloudflareListsProvider("1.2.3").check(request))
    finally:
        loop.close()
    return dict(response.inputs or {}), {f.property: f.reason for f in response.failures or []}


@pytest.mark.parametrize("token", list(RESOURCE_TYPES))
def test_inputs_are_the_shared_schemas_in_camel_case_and_in_order(token: str) -> None:
    kind = RESOURCE_TYPES[token]
    spec = SCHEMA["resources"][token]
    assert list(spec["inputProperties"]) == [camel(name) for name in kind.schema.names]
    assert set(spec["properties"]) == {camel(name) for name in (*kind.schema.names, *kind.schema.outputs)}


@pytest.mark.parametrize("token", list(RESOURCE_TYPES))
def test_defaults_are_the_checks_defaults(token: str) -> None:
    kind = RESOURCE_TYPES[token]
    inputs = SCHEMA["resources"][token]["inputProperties"]
    for field in kind.schema.inputs:
        assert inputs[camel(field.name)].get("default") == field.default, field.name


@pytest.mark.parametrize("token", list(RESOURCE_TYPES))
def test_an_input_is_required_exactly_when_the_check_refuses_its_absence(token: str) -> None:
    spec = SCHEMA["resources"][token]
    for name in spec["inputProperties"]:
        without = {key: value for key, value in EVERY_INPUT[RESOURCE_TYPES[token].name].items() if key != name}
        _, failures = check(token, without)
        assert (name in failures) == (name in spec["requiredInputs"]), name


@pytest.mark.parametrize("token", list(RESOURCE_TYPES))
def test_a_program_giving_every_input_the_schema_lists_passes_the_check(token: str) -> None:
    program = EVERY_INPUT[RESOURCE_TYPES[token].name]
    assert set(program) == set(SCHEMA["resources"][token]["inputProperties"])
    inputs, failures = check(token, program)
    assert failures == {} and set(inputs) == set(program)


@pytest.mark.parametrize("token", list(RESOURCE_TYPES))
def test_a_property_the_schema_does_not_list_is_refused_by_name(token: str) -> None:
    program = {**EVERY_INPUT[RESOURCE_TYPES[token].name], "account_id": ACCOUNT}  # the Python name, not the schema's
    _, failures = check(token, program)
    assert list(failures) == ["account_id"] and "accountId" in failures["account_id"]


def test_every_resource_property_and_type_has_a_description() -> None:
    specs = [SCHEMA, *SCHEMA["resources"].values(), *SCHEMA["types"].values(), SCHEMA["provider"]]
    for spec in specs:
        assert spec["description"].strip()
    for resource in [*SCHEMA["resources"].values(), SCHEMA["provider"]]:
        for prop in [*resource["inputProperties"].values(), *resource.get("properties", {}).values()]:
            assert prop["description"].strip().endswith(".")


def test_kinds_facts_and_configuration_are_the_cores() -> None:
    kinds = SCHEMA["resources"]["cloudflare-lists:index:RulesList"]["inputProperties"]["kind"]["enum"]
    assert [option["value"] for option in kinds] == list(KINDS)
    facts = BulkOperationFacts.from_dict({"id": "x", "status": "completed"}).to_dict()
    assert list(SCHEMA["types"]["cloudflare-lists:index:BulkOperationFacts"]["properties"]) == list(map(camel, facts))
    settings = [camel(field.name) for field in dataclasses.fields(ConnectionSettings)]
    assert list(SCHEMA["config"]["variables"]) == settings == list(SCHEMA["provider"]["inputProperties"])
    assert [name for name, spec in SCHEMA["config"]["variables"].items() if spec.get("secret")] == [
        "apiToken",
        "apiKey",
    ]


def test_the_reference_in_the_repository_is_the_one_generated_from_the_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main()
    assert (ROOT / REFERENCE_PATH).read_text(encoding="utf-8") == capsys.readouterr().out, (
        f"regenerate it: python -m pulumi_provider.native.docs > {REFERENCE_PATH}"
    )
    assert "## RulesList" in reference(SCHEMA)
