"""The Pulumi demos through the real engine: with the built CLI on PATH, each says so and deploys through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.pulumi_engine import ACCOUNT, clean_env
from tests.e2e.pulumi_engine_runs.conftest import TOKEN
from tests.e2e.pulumi_engine_runs.engine import REPOSITORY, Engine
from tests.lists_api import write_items

EXAMPLES = REPOSITORY / "examples" / "pulumi"


def run_demo(engine: Engine, emulator: Emulator, script: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(engine.root / "bin"), str(Path(sys.executable).parent)])
    environment = clean_env(
        CLOUDFLARE_API_TOKEN=TOKEN,
        CLOUDFLARE_BASE_URL=emulator.base_url,
        CLOUDFLARE_ACCOUNT_ID=ACCOUNT,
        PATH=path,
        **env,
    )
    return subprocess.run([sys.executable, str(script)], env=environment, capture_output=True, text=True, timeout=300)


def test_the_blocklist_demo_deploys_through_the_engine_and_says_so(engine: Engine) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as emulator:
        done = run_demo(engine, emulator, EXAMPLES / "blocklist" / "run_demo.py")
        assert emulator.lists(ACCOUNT) == {}  # it destroys what it deployed

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    pulumi = engine.root / "bin" / "pulumi"
    assert lines[0] == f"Pulumi engine: {pulumi}, running each `pulumi up` on a throwaway local stack (Automation API)."
    ups = [line for line in lines if line.startswith("== up #")]
    assert [sorted(up.split(": ", 1)[1].split(", ")) for up in ups] == [
        ["blocklist create", "scanner-feed create", "security-team create"],
        ["blocklist same", "scanner-feed same", "security-team same"],
        ["blocklist same", "scanner-feed update", "security-team same"],
    ]
    exports = json.loads(done.stdout[done.stdout.index("{") :])
    assert [item["ip"] for item in exports["feed_items"]] == ["203.0.113.10", "203.0.113.11", "203.0.113.12"]
    assert TOKEN not in done.stdout + done.stderr


def test_the_bulk_operation_demo_waits_through_the_engine_and_says_so(engine: Engine) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05)) as emulator:
        operation_id = write_items(emulator, [{"ip": "192.0.2.1"}])
        done = run_demo(engine, emulator, EXAMPLES / "run_demo.py", CLOUDFLARE_OPERATION_ID=operation_id)

    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first.startswith(f"Pulumi engine: {engine.root / 'bin' / 'pulumi'}, running `pulumi up`")
    facts = json.loads(rest)
    assert (facts["operation_id"], facts["status"], facts["succeeded"]) == (operation_id, "completed", True)
