"""The ``cloudflare-lists`` command run in this process, on a fake clock: what a process would exit with and print,
without starting one or sleeping for real (its waits and retries pass on the clock)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock

from edgeops_cloudflare_lists.cli import app


@dataclass(frozen=True)
class Ran:
    """A run's exit code and output, as ``subprocess.CompletedProcess`` names them."""

    returncode: int
    stdout: str
    stderr: str


def run_in_process(argv: Sequence[str], environ: Mapping[str, str], clock: Optional[FakeClock] = None) -> Ran:
    """Run the command with ``environ`` as its whole environment (credentials included) and its client on ``clock``."""
    stdout, stderr = io.StringIO(), io.StringIO()
    on_clock = clock if clock is not None else FakeClock()

    def client_factory(**options: Any) -> CloudflareClient:
        options.setdefault("clock", on_clock)
        return open_client(environ=environ, **options)

    code = app.run(list(argv), stdout=stdout, stderr=stderr, client_factory=client_factory, environ=environ)
    return Ran(code, stdout.getvalue(), stderr.getvalue())
