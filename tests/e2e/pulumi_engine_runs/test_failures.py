"""Failures through the real engine: `pulumi up` fails with Cloudflare's text, shows no secret, and leaves nothing."""

from __future__ import annotations

from typing import Iterator

import pytest
from pulumi import automation as auto

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import RulesList
from tests.e2e.pulumi_engine import ACCOUNT
from tests.e2e.pulumi_engine_runs.conftest import TOKEN
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, diagnostics


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
    error = diagnostics(shown).partition("RulesList (blocklist):")[2].strip()
    assert error.startswith("error: Cloudflare bulk operation ")
    assert "writing the items of list 'too_big'" in error
    assert "failed: This list is at the maximum number of items." in error
    assert small_account.lists(ACCOUNT) == {}  # the new list was deleted again
