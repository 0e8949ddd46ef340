"""Reads of a list's items are bounded by what the list says it holds, never truncated silently, and adapt their
page size to the body cap.

Hostile and large cases covered, over 127.0.0.1: a server whose item pages never end (a fresh cursor on every
full page) while the list says it holds 600 items; a server whose page has no ``result_info`` while the list says
it holds more than that page (``items`` must not print part of the list, an absent sync must not say "no change");
a genuine list of 500,000 items, read in full; a redirect list of 500 items whose pages at 500 per page would pass
the 1 MiB body cap, written and read back through the emulator.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import MAX_BODY_BYTES
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import get_list, read_items
from ansible_collections.edgeops.cloudflare_lists.tests.support.hostile_servers import HostileServer, PagingListsApi
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID, LIST_ID

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.pulumi_engine import clean_env

TOKEN = "bounded-reads-token-0c9b8a7f6e"
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
MODULE = "ansible_collections.edgeops.cloudflare_lists.plugins.modules.rules_list_items"


def run_command(base_url: str, *args: str, limit: float = 40) -> subprocess.CompletedProcess[str]:
    env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=base_url)
    try:
        return subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"cloudflare-lists {' '.join(args)} was still reading after {limit:g} s")


@pytest.fixture
def endless() -> Iterator[Any]:
    api = PagingListsApi(600, "endless")
    with HostileServer(api) as server:
        yield api, server


@pytest.mark.parametrize("command", ["items", "sync"])
def test_endless_fresh_cursors_stop_soon_past_what_the_list_holds(endless: Any, command: str, tmp_path: Path) -> None:
    api, server = endless
    items = tmp_path / "items.txt"
    items.write_text("10.0.0.1\n")
    extra = ["--file", str(items), "--timeout", "20"] if command == "sync" else []
    start = time.monotonic()
    result = run_command(server.base_url, command, ACCOUNT_ID, api.name, *extra)
    assert result.returncode == 4, result.stderr
    assert "elements read, well past the 600 elements it holds" in result.stderr
    assert api.served <= 4  # 600 and a margin of 1,000: four pages of 500
    assert api.writes == 0
    assert time.monotonic() - start < 20
    document = json.loads(result.stdout)  # the command's one document, with the error
    assert document["error"]["message"] in result.stderr
    if command == "items":
        assert document["items"] is None  # no partial list


def test_a_page_without_result_info_is_an_error_not_part_of_the_list() -> None:
    api = PagingListsApi(600, "no_result_info")
    with HostileServer(api) as server:
        result = run_command(server.base_url, "items", ACCOUNT_ID, api.name)
    assert result.returncode == 4, result.stdout[:200]
    assert "has no result_info cursors, but only 500 of the 600 elements it holds were read" in result.stderr
    assert json.loads(result.stdout)["items"] is None  # no partial list


def test_an_absent_sync_never_says_no_change_from_part_of_the_list(tmp_path: Path) -> None:
    api = PagingListsApi(600, "no_result_info")
    with HostileServer(api) as server:
        params = {
            "account_id": ACCOUNT_ID,
            "list": api.name,
            "items": ["10.0.2.87"],  # the list's 600th item, which the first page does not hold
            "state": "absent",
            "api_token": TOKEN,
            "base_url": server.base_url,
        }
        path = tmp_path / "args.json"
        path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
        done = subprocess.run(
            [sys.executable, "-m", MODULE, str(path)], capture_output=True, text=True, env=clean_env(), check=False
        )
    result: Dict[str, Any] = json.loads(done.stdout)
    assert result.get("failed") is True, result
    assert result["error_type"] == "MalformedResponseError"
    assert "only 500 of the 600" in result["msg"]
    assert api.writes == 0


def test_a_genuine_list_of_500000_items_reads_in_full() -> None:
    api = PagingListsApi(500_000, "honest")
    with HostileServer(api) as server:
        with open_client(api_token=TOKEN, base_url=server.base_url) as client:
            facts = get_list(client, ACCOUNT_ID, LIST_ID)
            items = read_items(client, ACCOUNT_ID, facts, deadline=client.clock() + 600)
    assert len(items) == 500_000
    assert len({item.key for item in items}) == 500_000
    assert api.served == 1000


def long_redirects(count: int) -> Any:
    """Valid redirects whose canonical JSON is over 2 KiB each: 500 of them are more than 1 MiB."""
    return [
        {
            "redirect": {
                "source_url": f"example.com/source/{index}",
                "target_url": f"https://example.net/{'t' * 1500}/{index}",
            },
            "comment": "c" * 500,
        }
        for index in range(count)
    ]


def test_a_valid_list_too_large_for_one_page_is_written_and_read_back(tmp_path: Path) -> None:
    items = long_redirects(500)
    assert len(json.dumps(items)) > MAX_BODY_BYTES
    path = tmp_path / "redirects.json"
    path.write_text(json.dumps(items))
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)
    with Emulator(config) as emulator:
        sync = ("sync", ACCOUNT_ID, "long_redirects", "--kind", "redirect", "--file", str(path), "--timeout", "60")
        first = run_command(emulator.base_url, *sync, limit=120)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["changed"] is True
        again = run_command(emulator.base_url, *sync, limit=120)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["changed"] is False
        listed = run_command(emulator.base_url, "items", ACCOUNT_ID, "long_redirects", limit=120)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 500
