"""The command's last line of defence: an unexpected error, or a signal outside the command, is one line, with no
traceback and no credential."""

from __future__ import annotations

import io
import json
from typing import Any, NoReturn

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import TransportError

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


class FlushInterrupted(io.StringIO):
    """A stdout whose first flush a SIGTERM interrupts, what it was given still buffered, as a pipe's would be."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        if self.flushes == 1:
            raise Interrupt("SIGTERM")


def unavailable(**_options: Any) -> NoReturn:
    raise TransportError("GET list blocklist: HTTP 503: unavailable (10000). Cloudflare may be having trouble.")


@pytest.mark.parametrize("moment", ["making the document", "writing it"])
def test_a_first_signal_while_the_failure_is_printed_keeps_the_error_s_document_with_the_signal_s_code(
    moment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdout = FlushInterrupted() if moment == "writing it" else io.StringIO()
    if moment == "making the document":
        made = app.failure_document
        calls: list[int] = []

        def interrupted_once(*args: Any) -> Any:
            calls.append(1)
            if len(calls) == 1:
                raise Interrupt("SIGTERM")
            return made(*args)

        monkeypatch.setattr(app, "failure_document", interrupted_once)
    stderr = io.StringIO()
    argv = ["update", "023e105f4ecef8ad9ca31a8372d0c353", "blocklist", "--description", "office"]
    assert app.run(argv, stdout=stdout, stderr=stderr, client_factory=unavailable, environ={}) == EXIT_TERMINATED
    document = json.loads(stdout.getvalue())
    assert document["error"]["type"] == "TransportError"  # the error's document, not the signal's
    assert "HTTP 503: unavailable" in document["error"]["message"]
    assert stderr.getvalue().splitlines()[-1] == f"cloudflare-lists: error: {document['error']['message']}"
