"""The engine's side for the Pulumi provider's end-to-end tests: real provider servers, emulator writes.

The server and its gRPC calls are ``pulumi_provider.testing.ProviderServer`` (shipped, so the demo uses it too);
this adds what only tests need: a clean environment, a configured server per test, and operation ids.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Mapping, Optional

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import BulkOperationProvider
from pulumi_provider.testing import ProviderServer

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
GOOD_ITEMS: List[Dict[str, Any]] = [{"ip": "192.0.2.1"}, {"ip": "198.51.100.0/24"}]
BAD_ITEMS: List[Dict[str, Any]] = [{"ip": "10.0.0.0/7"}]  # a /7 is refused, so the operation ends failed


def clean_env(**extra: str) -> Dict[str, str]:
    """This environment without any CLOUDFLARE_* variable, plus ``extra``: credentials only where a test says."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CLOUDFLARE_")}
    env.update(extra)
    return env


@contextmanager
def provider_server(
    config: Optional[Mapping[str, str]] = None, *, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None
) -> Iterator[ProviderServer]:
    """A fresh ``python -m pulumi.dynamic`` for BulkOperationProvider, configured with ``config`` first as the
    engine does (a provider is configured once, when a server first unpickles it)."""
    with ProviderServer(BulkOperationProvider(), env=clean_env() if env is None else env, cwd=cwd) as server:
        server.configure(config or {})
        yield server


def stack_config(emulator: Emulator) -> Dict[str, str]:
    assert emulator.config.token is not None
    return {"cloudflare:apiToken": emulator.config.token, "cloudflare:baseUrl": emulator.base_url}


def without_provider(props: Mapping[str, Any]) -> Dict[str, Any]:
    return {name: value for name, value in props.items() if name != "__provider"}
