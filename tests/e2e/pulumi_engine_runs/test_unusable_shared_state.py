"""The core's warnings through the real engine: shared state it cannot use is one Pulumi warning in plain words,
not Python's warning form with a source path."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT

from pulumi_provider import RulesList
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, diagnostics


def test_an_unusable_cache_folder_is_one_plain_warning_and_the_list_is_still_made(
    engine: Engine, credentials: Credentials, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "edgeops-cloudflare-lists").write_text("a file where the folder should be")
    monkeypatch.setitem(engine.env_vars, "XDG_CACHE_HOME", str(cache))

    def program() -> None:
        RulesList("blocklist", account_id=ACCOUNT, name="engine_unusable_cache", kind="ip", items=["192.0.2.1"])

    stack = engine.stack(program, credentials)
    up = stack.up()
    shown = diagnostics(up.stdout)
    stack.destroy()

    assert up.summary.resource_changes == {"create": 2}
    assert f"warning: The cache folder {cache / 'edgeops-cloudflare-lists'} is a link or not a folder." in shown
    assert "Remove it, or point XDG_CACHE_HOME at a folder of yours." in shown
    assert "SharedStateWarning" not in up.stdout and ".py:" not in shown
