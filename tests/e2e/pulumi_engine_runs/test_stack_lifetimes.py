"""Stacks outliving the process and the code that made them: the plain CLI in another process refreshes and destroys
a stack made through the Automation API, and a stack recorded by an earlier version of the provider still refreshes
and destroys."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Dict

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import ListItems, RulesList
from tests.e2e.pulumi_engine import ACCOUNT
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, resource_changes
from tests.lists_api import append_items, wait_for

# The providers as version 0.1.0 pickled them into state: by reference to these classes, with no state of their own.
PICKLED_BY_0_1_0 = {
    "RulesList": "gASVOgAAAAAAAACMGnB1bHVtaV9wcm92aWRlci5ydWxlc19saXN0lIwRUnVsZXNMaXN0UHJvdmlkZXKUk5QpgZR9lGIu",
    "ListItems": "gASVOgAAAAAAAACMGnB1bHVtaV9wcm92aWRlci5saXN0X2l0ZW1zlIwRTGlzdEl0ZW1zUHJvdmlkZXKUk5QpgZR9lGIu",
}
# Properties that version 0.1.0 did not record.
ADDED_SINCE_0_1_0 = ("manages_items", "adopt")
_names = itertools.count()


def lists_and_items(prefix: str) -> Callable[[], None]:
    def program() -> None:
        RulesList("exact", account_id=ACCOUNT, name=f"{prefix}_exact", kind="ip", items=["192.0.2.1", "192.0.2.2"])
        shared = RulesList("shared", account_id=ACCOUNT, name=f"{prefix}_shared", kind="ip")
        ListItems("team", account_id=ACCOUNT, list_id=shared.list_id, items=["198.51.100.7/32"])

    return program


def lists_named(emulator: Emulator, prefix: str) -> Dict[str, Any]:
    return {name: data for name, data in emulator.lists(ACCOUNT).items() if name.startswith(prefix)}


def test_another_process_refreshes_and_destroys_the_stack_with_the_plain_cli(
    engine: Engine, credentials: Credentials, emulator: Emulator
) -> None:
    prefix = f"engine_cli_{next(_names)}"
    stack = engine.stack(lists_and_items(prefix), credentials)
    stack.up()
    exact = lists_named(emulator, prefix)[f"{prefix}_exact"]["id"]
    wait_for(emulator, append_items(emulator, exact, [{"ip": "203.0.113.5"}]))  # drift, made elsewhere

    refreshed = engine.cli(stack, "refresh")

    assert refreshed.returncode == 0, refreshed.stderr + refreshed.stdout
    assert "1 updated" in refreshed.stdout
    destroyed = engine.cli(stack, "destroy")
    assert destroyed.returncode == 0, destroyed.stderr + destroyed.stdout
    assert lists_named(emulator, prefix) == {}


def test_a_stack_recorded_by_an_earlier_version_still_refreshes_and_destroys(
    engine: Engine, credentials: Credentials, emulator: Emulator
) -> None:
    prefix = f"engine_old_{next(_names)}"
    stack = engine.stack(lists_and_items(prefix), credentials)
    stack.up()
    stack.import_stack(as_recorded_by_0_1_0(stack.export_stack()))
    exact = lists_named(emulator, prefix)[f"{prefix}_exact"]["id"]
    wait_for(emulator, append_items(emulator, exact, [{"ip": "203.0.113.5"}]))

    assert resource_changes(stack.refresh()) == {"same": 3, "update": 1}
    stack.destroy()

    assert lists_named(emulator, prefix) == {}


def as_recorded_by_0_1_0(deployment: Any) -> Any:
    """The deployment with each resource's inputs and outputs as version 0.1.0 recorded them."""
    rewritten = []
    for resource in deployment.deployment["resources"]:
        kind = resource["type"].rpartition(":")[2]
        if kind not in PICKLED_BY_0_1_0:
            continue
        for section in ("inputs", "outputs"):
            properties = resource[section]
            for name in ADDED_SINCE_0_1_0:
                properties.pop(name, None)
            properties["__provider"] = PICKLED_BY_0_1_0[kind]
        rewritten.append(kind)
    assert sorted(rewritten) == ["ListItems", "RulesList", "RulesList"]
    return deployment
