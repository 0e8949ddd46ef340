"""Inside the dynamic provider server, this product's errors reach the engine as their message, not a traceback."""

from __future__ import annotations

import importlib.machinery
import sys
import traceback
import types

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import OperationFailedError

from pulumi_provider.server_errors import install_in_provider_server


def fake_server(name: str = "pulumi.dynamic.__main__") -> types.ModuleType:
    server = types.ModuleType("__main__")
    server.__spec__ = importlib.machinery.ModuleSpec(name, None)
    server.traceback = traceback  # type: ignore[attr-defined]
    server._abort_with_traceback = lambda fn: fn  # type: ignore[attr-defined]
    return server


def test_nothing_changes_outside_the_provider_server(monkeypatch: pytest.MonkeyPatch) -> None:
    assert install_in_provider_server() is False  # pytest's own __main__
    other = fake_server("some.other.__main__")
    monkeypatch.setitem(sys.modules, "__main__", other)
    assert install_in_provider_server() is False
    assert other.traceback is traceback  # type: ignore[attr-defined]


def test_in_the_server_our_errors_are_their_message_and_others_keep_their_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = fake_server()
    monkeypatch.setitem(sys.modules, "__main__", server)

    assert install_in_provider_server() is True
    assert install_in_provider_server() is True  # once is enough; a second call changes nothing

    try:
        raise OperationFailedError("Cloudflare bulk operation 1 failed: no. Fix the items.")
    except OperationFailedError:
        assert server.traceback.format_exc() == "Cloudflare bulk operation 1 failed: no. Fix the items."  # type: ignore[attr-defined]
    try:
        raise KeyError("a bug")
    except KeyError:
        shown = server.traceback.format_exc()  # type: ignore[attr-defined]
    assert shown.startswith("Traceback (most recent call last):") and "KeyError: 'a bug'" in shown
    assert server.traceback.print_exc is traceback.print_exc  # type: ignore[attr-defined]
