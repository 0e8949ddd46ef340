"""The command's last line of defence: an unexpected error, or a signal outside the command, is one line, with no
traceback and no credential."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from edgeops_cloudflare_lists.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, app
from edgeops_cloudflare_lists.cli.signals import Interrupt

TOKEN = "unit-cli-token-\r9f2e"


def test_an_unexpected_error_is_one_scrubbed_line_with_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)

    def explode(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise ValueError(f"Invalid header value b'Bearer {TOKEN!r}' and {TOKEN.strip()}")

    monkeypatch.setattr(app, "run", explode)
    assert app.main(["status", "023e105f4ecef8ad9ca31a8372d0c353", "op"]) == app.EXIT_API
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cloudflare-lists: error: unexpected ValueError: ")
    assert "9f2e" not in err


def test_a_signal_outside_the_command_exits_with_its_status_and_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr(app, "run", interrupt)
    assert app.main(["status", "023e105f4ecef8ad9ca31a8372d0c353", "op"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip() == "cloudflare-lists: interrupted by SIGINT"

    def terminate(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise Interrupt("SIGTERM")

    monkeypatch.setattr(app, "run", terminate)
    assert app.main(["status", "023e105f4ecef8ad9ca31a8372d0c353", "op"]) == EXIT_TERMINATED
    assert capsys.readouterr().err.strip() == "cloudflare-lists: interrupted by SIGTERM"
