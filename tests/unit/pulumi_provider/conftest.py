"""Fixtures for the Pulumi provider's unit tests: in-process emulators, and providers configured for them."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.emulators import start_emulator  # noqa: F401
from ansible_collections.edgeops.cloudflare_lists.tests.support.pulumi import TOKEN, configured

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import BulkOperationProvider


@pytest.fixture(autouse=True)
def no_cloudflare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials come only from what a test configures."""
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CLOUDFLARE_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """Operations finish at once, so waits end at the first check (the server tests cover waiting)."""
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.0, running_seconds=0.0)) as emu:
        yield emu


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """``start_emulator``'s emulators take this suite's token only."""
    return EmulatorConfig(token=TOKEN)


@pytest.fixture
def slow_emulator(start_emulator: Callable[..., Emulator]) -> Emulator:  # noqa: F811 - the fixture imported above
    """Operations stay pending for a minute (one per test: an account can have only one pending operation)."""
    return start_emulator(pending_seconds=60.0, running_seconds=1.0)


@pytest.fixture
def provider_for() -> Callable[[Emulator], BulkOperationProvider]:
    def make(emu: Emulator) -> BulkOperationProvider:
        return configured({"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emu.base_url})

    return make
