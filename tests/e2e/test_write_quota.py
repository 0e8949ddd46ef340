"""Cloudflare's 12-hour write quotas, met through the emulator over 127.0.0.1: the command and the core name the
quota and what to do, write nothing, and wait for a quota that frees up within the deadline."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import QuotaExceededError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_items

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import TOKEN, list_id_of, stored_items, sync
from tests.fake_clock import FakeClock


def test_a_sync_past_the_write_request_quota_exits_4_naming_the_quota_and_writes_nothing(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1, write_quota_requests=1)
    with Emulator(config) as emulator:
        assert sync(emulator, tmp_path, ["10.0.0.1"], "--kind", "ip").returncode == 0
        refused = sync(emulator, tmp_path, ["10.0.0.1", "10.0.0.2"])
        assert refused.returncode == 4, refused.stderr
        assert "Write quota exceeded (1 item-writing requests per account per 12 hours)" in refused.stderr
        assert "30,000 item-writing requests per 12 hours" in refused.stderr  # what Cloudflare allows
        assert "retry once the quota has room again" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        document = json.loads(refused.stdout)
        assert (document["error"]["type"], document["writes"], document["changed"]) == ("QuotaExceededError", [], None)
        # Refused at once: its Retry-After (12 hours) is past the deadline, so it was neither retried nor waited on.
        assert emulator.throttled_counts["write_quota"] == 1
        assert [item["ip"] for item in stored_items(emulator, list_id_of(emulator, "blocklist"))] == ["10.0.0.1"]


def test_a_write_past_the_item_change_quota_is_a_quota_exceeded_error_with_its_retry_after() -> None:
    clock = FakeClock()
    config = EmulatorConfig(token=TOKEN, pending_seconds=1, running_seconds=1, write_quota_item_changes=3)
    with Emulator(config, clock=clock) as emulator:
        with open_client(api_token=TOKEN, base_url=emulator.base_url, clock=clock, sleep=clock.advance) as client:
            account = emulator.config.account_id
            sync_items(client, account, "blocklist", ["10.0.0.1", "10.0.0.2"], kind="ip")
            try:
                sync_items(client, account, "blocklist", ["10.0.0.3", "10.0.0.4", "10.0.0.5"], kind="ip")
            except QuotaExceededError as exc:
                refused = exc
            else:
                raise AssertionError("a write past the item-change quota was accepted")
    assert "HTTP 429: Write quota exceeded (3 list item changes per account per 12 hours)" in str(refused)
    assert refused.http_status == 429
    assert refused.retry_after is not None and 43_000 < refused.retry_after <= 43_200
    assert [item["ip"] for item in emulator.lists()["blocklist"]["items"]] == ["10.0.0.1", "10.0.0.2"]


def test_a_quota_that_has_room_again_before_the_deadline_is_waited_for() -> None:
    clock = FakeClock()
    config = EmulatorConfig(
        token=TOKEN, pending_seconds=1, running_seconds=1, write_quota_requests=1, write_quota_window_seconds=120
    )
    with Emulator(config, clock=clock) as emulator:
        with open_client(api_token=TOKEN, base_url=emulator.base_url, clock=clock, sleep=clock.advance) as client:
            account = emulator.config.account_id
            sync_items(client, account, "blocklist", ["10.0.0.1"], kind="ip")
            started = clock()
            _, outcome = sync_items(client, account, "blocklist", ["10.0.0.1", "10.0.0.2"], kind="ip")
        assert outcome.changed and outcome.verified
        assert clock() - started >= 100  # it waited for the first write to leave the 120 s window
        assert emulator.throttled_counts["write_quota"] == 1
        assert [item["ip"] for item in emulator.lists()["blocklist"]["items"]] == ["10.0.0.1", "10.0.0.2"]
        writes = emulator.stats()["writes"][account]
        assert writes["requests"] == 2 and writes["quota"]["requests"] == {"used": 1, "limit": 1}
