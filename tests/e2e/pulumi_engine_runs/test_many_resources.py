"""Ten RulesList and ten ListItems on one account in one `pulumi up`: the engine runs them in parallel, the dynamic
provider server runs at most 4 calls at once, and writes to one account queue on its lock, so none meets a 429."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator

import pulumi
import pytest
import requests

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import ListItems, RulesList
from tests.e2e.pulumi_engine import ACCOUNT
from tests.e2e.pulumi_engine_runs.conftest import TOKEN
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, resource_changes


@pytest.fixture
def fresh_emulator() -> Iterator[Emulator]:
    """Its own emulator, with Cloudflare's rate limit (1,200 requests per 5 minutes) and nothing else counted."""
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as emulator:
        yield emulator


def many() -> Callable[[], None]:
    def program() -> None:
        for number in range(5):  # five lists with their items, five for the ListItems
            RulesList(
                f"exact-{number}",
                account_id=ACCOUNT,
                name=f"exact_{number}",
                kind="ip",
                items=[f"192.0.2.{number}", f"2001:db8::{number}"],
            )
        for number in range(5):
            shared = RulesList(f"shared-{number}", account_id=ACCOUNT, name=f"shared_{number}", kind="ip")
            for team in ("red", "blue"):
                ListItems(
                    f"{team}-{number}",
                    account_id=ACCOUNT,
                    list_id=shared.list_id,
                    items=[f"198.51.100.{number * 10 + len(team)}"],
                )
        pulumi.export("done", True)

    return program


def test_ten_lists_and_ten_item_sets_on_one_account_in_one_up_meet_no_429(
    engine: Engine, fresh_emulator: Emulator
) -> None:
    stack = engine.stack(many(), Credentials(TOKEN, fresh_emulator.base_url))

    result = stack.up()

    assert resource_changes(result) == {"create": 21}
    stats: Dict[str, Any] = requests.get(fresh_emulator.stats_url, timeout=10).json()
    assert set(stats["throttled"].values()) == {0}, stats["throttled"]  # no 429 of any kind
    assert set(stats["responses"]) <= {"200"}, stats["responses"]
    held = {name: len(data["items"]) for name, data in fresh_emulator.lists(ACCOUNT).items()}
    assert held == {**{f"exact_{n}": 2 for n in range(5)}, **{f"shared_{n}": 2 for n in range(5)}}
    assert resource_changes(stack.destroy()) == {"delete": 21}
