"""The provider process's warnings: the core's shared-state warnings become Pulumi warnings; others are untouched."""

from __future__ import annotations

import warnings
from typing import Any, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import SharedStateWarning

from pulumi_provider.connection import say_shared_state_warnings_as_pulumi_warnings


def test_shared_state_warnings_become_one_pulumi_warning_and_others_keep_their_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown_before: List[Any] = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *rest, **more: shown_before.append(message))

    say_shared_state_warnings_as_pulumi_warnings()
    say_shared_state_warnings_as_pulumi_warnings()  # once is enough: a second call chains nothing more
    warnings.showwarning("The cache folder /x is not a folder.", SharedStateWarning, "budget.py", 1)
    warnings.showwarning("old API", DeprecationWarning, "elsewhere.py", 2)

    assert capsys.readouterr().err == "warning: The cache folder /x is not a folder.\n"  # pulumi.log, no engine
    assert shown_before == ["old API"]
