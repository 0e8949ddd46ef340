"""The one write path through the emulator on 127.0.0.1: only the difference is written (POST, then DELETE by id),
untouched items keep their ids, a concurrent writer's item survives, the guards refuse before any write, a new list
whose first write fails is deleted again, and every bad item is named at once."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import VerificationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import get_list
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import list_result
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import SyncOptions, apply_items, sync_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, wait_for

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import TOKEN, list_id_of, run, stored_items, sync


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as running:
        yield running


def ids_by_value(emulator: Emulator, list_id: str) -> dict[str, str]:
    return {item["ip"]: item["id"] for item in stored_items(emulator, list_id)}


def test_an_exact_change_posts_then_deletes_and_items_that_stay_keep_their_ids(
    emulator: Emulator, tmp_path: Path
) -> None:
    lines = [f"10.0.{n // 250}.{n % 250}" for n in range(600)]
    assert sync(emulator, tmp_path, lines, "--kind", "ip").returncode == 0
    list_id = list_id_of(emulator, "blocklist")
    before = ids_by_value(emulator, list_id)
    operations_before = len([op for op in emulator.operations if op["list_id"] == list_id])

    changed = sync(emulator, tmp_path, [*lines[1:], "192.0.2.7"])
    assert changed.returncode == 0, changed.stderr
    outcome = json.loads(changed.stdout)
    assert outcome["plan"]["writes"] == [{"method": "POST", "items": 1}, {"method": "DELETE", "items": 1}]
    assert [write["method"] for write in outcome["writes"]] == ["POST", "DELETE"]
    assert outcome["items_written"] == 2

    after = ids_by_value(emulator, list_id)
    assert set(after) == {*lines[1:], "192.0.2.7"}
    assert all(after[value] == before[value] for value in lines[1:])  # untouched: same id
    new_operations = [op["action"] for op in emulator.operations if op["list_id"] == list_id][operations_before:]
    assert new_operations == ["append", "delete"]


def test_a_concurrent_writers_item_survives_an_exact_sync(emulator: Emulator, tmp_path: Path) -> None:
    assert sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2"], "--kind", "ip").returncode == 0
    list_id = list_id_of(emulator, "blocklist")

    class WriterBetweenReadAndWrite(CloudflareClient):
        """Another host (here: a plain HTTP call) adds an item after our read, before our first write."""

        interfered = False

        def request(self, method: str, path: Any, **kwargs: Any) -> Any:
            if method != "GET" and not self.interfered:
                self.interfered = True
                wait_for(emulator, append_items(emulator, list_id, [{"ip": "203.0.113.9", "comment": "dashboard"}]))
            return super().request(method, path, **kwargs)

    with WriterBetweenReadAndWrite(
        Credentials(api_token=TOKEN), base_url=emulator.base_url, rng=random.Random(0)
    ) as client:
        facts = get_list(client, emulator.config.account_id, list_id)
        desired = parse_items("ip", ["10.0.0.1", "10.0.0.3"])
        # Our writes leave the other writer's item alone; the read-back of an exact sync then reports it.
        with pytest.raises(VerificationError, match=r"1 unexpected \(e.g. 203.0.113.9\)"):
            apply_items(client, emulator.config.account_id, facts, desired, "exact")

    assert client.interfered
    held = {item["ip"] for item in stored_items(emulator, list_id)}
    assert held == {"10.0.0.1", "10.0.0.3", "203.0.113.9"}  # the other writer's item was not lost


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.txt", ""), ("comments.txt", "# feed unavailable\n\n"), ("empty.json", "[]")],
)
def test_an_empty_input_is_refused_with_exit_2_and_the_list_is_intact(
    emulator: Emulator, tmp_path: Path, name: str, content: str
) -> None:
    assert sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2"], "--kind", "ip").returncode == 0
    list_id = list_id_of(emulator, "blocklist")
    operations = len(emulator.operations)
    feed = tmp_path / name
    feed.write_text(content)

    refused = run(emulator, "sync", "blocklist", "--file", str(feed))
    assert refused.returncode == 2
    assert "--allow-empty" in refused.stderr and "nothing was sent" in refused.stderr
    assert len(stored_items(emulator, list_id)) == 2
    assert len(emulator.operations) == operations

    emptied = run(emulator, "sync", "blocklist", "--file", str(feed), "--allow-empty")
    assert emptied.returncode == 0, emptied.stderr
    assert stored_items(emulator, list_id) == []


def test_an_empty_stdin_from_a_failed_download_is_refused(emulator: Emulator, tmp_path: Path) -> None:
    assert sync(emulator, tmp_path, ["10.0.0.1"], "--kind", "ip").returncode == 0
    refused = run(emulator, "sync", "blocklist", "--file", "-", stdin="")
    assert refused.returncode == 2
    assert len(stored_items(emulator, list_id_of(emulator, "blocklist"))) == 1


@pytest.mark.parametrize("limit", ["2", "20%"])
def test_max_removals_refuses_a_larger_plan_naming_the_numbers_and_writes_nothing(
    emulator: Emulator, tmp_path: Path, limit: str
) -> None:
    lines = [f"10.0.0.{n}" for n in range(1, 11)]
    assert sync(emulator, tmp_path, lines, "--kind", "ip").returncode == 0
    list_id = list_id_of(emulator, "blocklist")
    operations = len(emulator.operations)

    refused = sync(emulator, tmp_path, lines[:7], "--max-removals", limit)
    assert refused.returncode == 2
    assert f"would remove 3 of the 10 items of list 'blocklist', more than --max-removals ({limit})" in refused.stderr
    assert len(stored_items(emulator, list_id)) == 10 and len(emulator.operations) == operations

    allowed = sync(emulator, tmp_path, lines[:8], "--max-removals", limit)
    assert allowed.returncode == 0, allowed.stderr
    assert len(stored_items(emulator, list_id)) == 8


def test_a_new_list_whose_first_write_fails_is_deleted_again(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05, max_items_per_account=2)
    with Emulator(config) as emulator:
        failed = sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2", "10.0.0.3"], "--kind", "ip")
        assert failed.returncode == 1
        assert "maximum number of items" in failed.stderr
        assert "was deleted again, so the account is as it was" in failed.stderr
        assert [facts["name"] for facts in json.loads(run(emulator, "lists").stdout)] == []


def test_every_bad_line_is_named_at_once_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    lines = ["10.0.0.1", "10.0.0.300", "10.0.0.2", "example.com", "10.0.0.1/32", "10.0.0.3"]
    refused = sync(emulator, tmp_path, lines, "--kind", "ip")
    assert refused.returncode == 2
    for line in ("--file line 2", "--file line 4", "--file line 5"):
        assert line in refused.stderr
    assert "3 of 6 items are not valid" in refused.stderr
    assert "'10.0.0.1/32' is the same ip as --file line 1 ('10.0.0.1')" in refused.stderr
    assert emulator.request_count == 0


@pytest.mark.parametrize("wait", [True, False])
def test_check_mode_predicts_the_new_lists_facts_the_real_run_reports(emulator: Emulator, wait: bool) -> None:
    options = {"wait": wait, "policy": WaitPolicy(timeout=30)}
    items = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    with CloudflareClient(Credentials(api_token=TOKEN), base_url=emulator.base_url) as client:
        _, planned = sync_items(
            client, ACCOUNT, "new_list", items, kind="ip", options=SyncOptions(check_mode=True, **options)
        )
        facts, done = sync_items(client, ACCOUNT, "new_list", items, kind="ip", options=SyncOptions(**options))
    predicted = list_result(None, planned.planned_list) or {}
    real = list_result(facts, done.planned_list) or {}
    unknowable = ("id", "created_on", "modified_on")
    assert {k: v for k, v in predicted.items() if k not in unknowable} == {
        k: v for k, v in real.items() if k not in unknowable
    }
    assert predicted["num_items"] == (3 if wait else 0)  # without a wait, the list as created: its write pending
