"""The Pulumi examples and the README's Pulumi snippets, run as programs: each resource they register goes through
the real provider server against the emulator, in the engine's call order."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, create_list, wait_for

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider.testing import ProgramEngine, ProviderServer
from tests.e2e.pulumi_engine import RecordingApp, clean_env, provider_server, recording_emulator, stack_config

TOKEN = "pulumi-examples-token-c27d90"
ROOT = Path(__file__).resolve().parents[2]
BLOCKLIST = ROOT / "examples" / "pulumi" / "blocklist"
PROJECT = "cloudflare-lists-blocklist"


@pytest.fixture(scope="module")
def recorded() -> Iterator[Tuple[Emulator, RecordingApp]]:
    emulator, recorder = recording_emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05))
    with emulator:
        yield emulator, recorder


@pytest.fixture(scope="module")
def server(recorded: Tuple[Emulator, RecordingApp]) -> Iterator[ProviderServer]:
    env = clean_env(CLOUDFLARE_ACCOUNT_ID=ACCOUNT)  # the programs leave account_id to the environment
    with provider_server(stack_config(recorded[0]), env=env) as srv:
        yield srv


def feed(*addresses: str) -> Dict[str, str]:
    return {f"{PROJECT}:scannerFeed": json.dumps(list(addresses)), f"{PROJECT}:listName": "example_blocklist"}


def test_the_example_creates_then_changes_nothing_then_writes_exactly_the_one_new_item(
    server: ProviderServer, recorded: Tuple[Emulator, RecordingApp]
) -> None:
    emulator, recorder = recorded
    engine = ProgramEngine(server, project=PROJECT)
    program = str(BLOCKLIST / "__main__.py")

    steps, exports = engine.up(program, feed("203.0.113.10", "203.0.113.11"))
    assert sorted((s.name, s.op) for s in steps) == [
        ("blocklist", "create"),
        ("scanner-feed", "create"),
        ("security-team", "create"),
    ]
    assert exports["security_items"][1] == {"ip": "198.51.100.7"}  # written 198.51.100.7/32
    assert len(emulator.lists(ACCOUNT)["example_blocklist"]["items"]) == 5

    mark = recorder.mark
    steps, _ = engine.up(program, feed("203.0.113.10", "203.0.113.11"))
    assert {s.op for s in steps} == {"same"}
    assert all(s.diff is not None and s.diff.changes == "none" for s in steps)
    assert recorder.since(mark) == []  # a second pass makes no API call at all

    mark = recorder.mark
    steps, exports = engine.up(program, feed("203.0.113.10", "203.0.113.11", "203.0.113.12"))
    assert sorted((s.name, s.op) for s in steps) == [
        ("blocklist", "same"),
        ("scanner-feed", "update"),
        ("security-team", "same"),
    ]
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [("POST", [{"ip": "203.0.113.12"}])]
    assert exports["feed_last_write"]["succeeded"] is True

    assert {s.op for s in engine.destroy()} == {"delete"}
    assert "example_blocklist" not in emulator.lists(ACCOUNT)


def test_the_example_demo_runs_without_the_pulumi_cli(tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as emulator:
        env = clean_env(
            CLOUDFLARE_API_TOKEN=TOKEN,
            CLOUDFLARE_BASE_URL=emulator.base_url,
            CLOUDFLARE_ACCOUNT_ID=ACCOUNT,
            PATH=str(Path(sys.executable).parent),  # no pulumi CLI on it
        )
        done = subprocess.run(
            [sys.executable, str(BLOCKLIST / "run_demo.py")], env=env, capture_output=True, text=True, timeout=120
        )
        assert emulator.lists(ACCOUNT) == {}  # it destroys what it deployed
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("pulumi CLI not found")
    ups = [line for line in lines if line.startswith("== up #")]
    assert [sorted(up.split(": ", 1)[1].split(", ")) for up in ups] == [
        ["blocklist create", "scanner-feed create", "security-team create"],
        ["blocklist same", "scanner-feed same", "security-team same"],
        ["blocklist same", "scanner-feed update", "security-team same"],
    ]
    exports = json.loads(done.stdout[done.stdout.index("{") :])
    assert [item["ip"] for item in exports["feed_items"]] == ["203.0.113.10", "203.0.113.11", "203.0.113.12"]
    assert TOKEN not in done.stdout + done.stderr


def readme_pulumi_snippets() -> List[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Pulumi\n") : readme.index("\n## Python\n")]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_readme_has_the_pulumi_snippets_this_test_runs() -> None:
    snippets = readme_pulumi_snippets()
    assert len(snippets) == 2
    assert "RulesList(" in snippets[0] and "ListItems(" in snippets[0]
    assert "BulkOperation(" in snippets[1]


def test_the_readme_lists_snippet_deploys_and_a_second_up_changes_nothing(
    server: ProviderServer, recorded: Tuple[Emulator, RecordingApp], tmp_path: Path
) -> None:
    emulator, _ = recorded
    program = tmp_path / "__main__.py"
    program.write_text(readme_pulumi_snippets()[0])
    engine = ProgramEngine(server, project="readme")
    _, exports = engine.up(str(program))
    assert exports["security_items"] == [
        {"ip": "192.0.2.0/24", "comment": "abuse report 1412"},
        {"ip": "198.51.100.7"},
    ]
    assert exports["list_id"] == emulator.lists(ACCOUNT)["edge_blocklist"]["id"]
    steps, _ = engine.up(str(program))
    assert {s.op for s in steps} == {"same"}
    engine.destroy()


def test_the_readme_bulk_operation_snippet_waits_on_an_operation_written_elsewhere(
    server: ProviderServer, recorded: Tuple[Emulator, RecordingApp], tmp_path: Path
) -> None:
    emulator, _ = recorded
    operation_id = append_items(emulator, create_list(emulator), [{"ip": "192.0.2.1"}])
    program = tmp_path / "__main__.py"
    program.write_text(readme_pulumi_snippets()[1])
    config = {"readme:accountId": ACCOUNT, "readme:operationId": operation_id, **stack_config(emulator)}
    steps, exports = ProgramEngine(server, project="readme").up(str(program), config)
    assert [(s.name, s.op) for s in steps] == [("allowlist-sync", "create")]
    assert exports["list_status"] == "completed" and exports["list_completed_at"].endswith("Z")
    wait_for(emulator, operation_id)
