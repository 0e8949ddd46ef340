"""Failures through the real engine: `pulumi up` fails with Cloudflare's text, shows no secret, and leaves nothing."""

from __future__ import annotations

from typing import Callable, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from pulumi import automation as auto

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import RulesList
from tests.e2e.pulumi_engine_runs.conftest import TOKEN
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, diagnostics, diagnostics_of


@pytest.fixture
def small_account() -> Iterator[Emulator]:
    """An account that holds at most two items, so a write of three fails as Cloudflare fails it."""
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05, max_items_per_account=2)
    with Emulator(config) as emulator:
        yield emulator


def test_a_failed_operation_fails_up_with_cloudflares_text_no_secret_and_no_list_left(
    engine: Engine, small_account: Emulator
) -> None:
    def program() -> None:
        RulesList(
            "blocklist", account_id=ACCOUNT, name="too_big", kind="ip", items=["192.0.2.1", "192.0.2.2", "192.0.2.3"]
        )

    stack = engine.stack(program, Credentials(TOKEN, small_account.base_url))

    with pytest.raises(auto.CommandError) as failed:
        stack.up()

    shown = str(failed.value)
    assert TOKEN not in shown
    assert "Traceback" not in shown
    error = diagnostics_of(shown, "RulesList (blocklist)")
    assert error.startswith("error: The POST of 3 items to list 'too_big' ")
    assert "This list is at the maximum number of items" in error
    assert error.endswith("The new list 'too_big' was deleted again, so the account is as it was.")
    assert small_account.lists(ACCOUNT) == {}  # the new list was deleted again


def bad_inputs(name: str, items: list) -> Callable[[], None]:  # type: ignore[type-arg]
    def program() -> None:
        RulesList("blocklist", account_id=ACCOUNT, name=name, kind="ip", items=items)

    return program


def errors_of(failed: auto.CommandError, resource: str) -> List[str]:
    shown = diagnostics(str(failed)).partition(f"{resource}:\n")[2].split("\n\n")[0]
    return [line.strip() for line in shown.splitlines() if line.strip()]


def test_bad_inputs_fail_preview_each_once_in_plain_words(engine: Engine, credentials: Credentials) -> None:
    stack = engine.stack(bad_inputs("bad name", ["192.0.2.1", "10.0.0.0/7"]), credentials)

    with pytest.raises(auto.CommandError) as failed:
        stack.preview()

    assert errors_of(failed.value, "RulesList (blocklist)") == [
        "error: pulumi-python:dynamic/cloudflare-lists:RulesList resource 'blocklist': property name value {bad name} "
        "has a problem: expected a list name of letters, digits and '_', at most 50 characters, got 'bad name'.",
        "error: pulumi-python:dynamic/cloudflare-lists:RulesList resource 'blocklist' has a problem: "
        "items[1]: '10.0.0.0/7': Cloudflare accepts IPv4 prefixes from /8 to /32.",
    ]


def test_check_names_every_bad_item(engine: Engine, credentials: Credentials) -> None:
    stack = engine.stack(
        bad_inputs("every_bad_item", ["10.0.0.0/7", "192.0.2.1", "nonsense", "192.0.2.1/32"]), credentials
    )

    with pytest.raises(auto.CommandError) as failed:
        stack.preview()

    shown = "\n".join(errors_of(failed.value, "RulesList (blocklist)"))
    for where in ("items[0]: '10.0.0.0/7'", "items[2]: 'nonsense'", "items[3]: "):
        assert shown.count(where) == 1, where
    assert "items[1]: " not in shown  # the good one
