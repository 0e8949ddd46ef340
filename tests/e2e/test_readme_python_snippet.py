"""The README's Python snippet, run as written against the emulator: it syncs a list, then waits on a write."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, create_list

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "readme-python-token-3c1d"


def python_snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python\n") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_readme_python_snippet_syncs_a_list_and_waits_on_a_write(tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1)) as emulator:
        operation_id = append_items(emulator, create_list(emulator, "elsewhere"), [{"ip": "203.0.113.9"}])
        program = tmp_path / "snippet.py"
        program.write_text(
            f"account_id = {emulator.config.account_id!r}\noperation_id = {operation_id!r}\n" + python_snippet()
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
        env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=emulator.base_url)
        result = subprocess.run(
            [sys.executable, str(program)], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("True {'add': [{'ip': '192.0.2.1'}, {'ip': '198.51.100.0/24'}]")
        [blocklist] = [facts for facts in emulator.lists().values() if facts["name"] == "blocklist"]
        assert blocklist["num_items"] == 2
