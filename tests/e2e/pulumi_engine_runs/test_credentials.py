"""Where the token goes through the real engine: set as a secret, nothing on disk holds it in plain text; set in plain
text, the program warns that the state holds it (as the README says)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable, List

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import RulesList
from tests.e2e.pulumi_engine import ACCOUNT
from tests.e2e.pulumi_engine_runs.conftest import TOKEN
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, diagnostics

_names = itertools.count()
WARNING = "cloudflare:apiToken is plain text in the stack's config"


def a_list() -> Callable[[], None]:
    name = f"engine_credentials_{next(_names)}"

    def program() -> None:
        RulesList("blocklist", account_id=ACCOUNT, name=name, kind="ip", items=["192.0.2.1"])
        RulesList("allowlist", account_id=ACCOUNT, name=f"{name}_allow", kind="ip")

    return program


def files_holding(token: str, *folders: Path) -> List[Path]:
    return [
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and token in path.read_text(errors="replace")
    ]


def test_a_token_set_as_a_secret_is_nowhere_in_plain_text(engine: Engine, credentials: Credentials) -> None:
    stack = engine.stack(a_list(), credentials)  # `pulumi config set --secret cloudflare:apiToken ...`

    up = stack.up()
    refresh = stack.refresh()
    destroy = stack.destroy()

    project = Path(stack.workspace.work_dir)
    assert files_holding(TOKEN, engine.backend, project) == []  # state, its backups and history; the stack's config
    assert engine.state_files()  # there is something to search
    for result in (up, refresh, destroy):
        assert TOKEN not in result.stdout + result.stderr
    assert WARNING not in up.stdout + up.stderr


def test_a_token_in_plain_text_config_is_warned_about_and_is_in_the_state_as_the_readme_says(
    engine: Engine, emulator: Emulator
) -> None:
    stack = engine.stack(a_list(), Credentials(TOKEN, emulator.base_url, secret=False))

    up = stack.up()

    assert diagnostics(up.stdout).count(WARNING) == 1  # once for the program, whatever its resources
    assert "pulumi config set --secret cloudflare:apiToken" in up.stdout
    state = stack.export_stack().deployment
    providers = [r for r in state["resources"] if r["type"] == "pulumi:providers:pulumi-python"]
    assert [p["inputs"].get("cloudflare:apiToken") for p in providers] == [TOKEN]
    stack.destroy()
