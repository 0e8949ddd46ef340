"""Fixtures for the Pulumi provider's unit tests: in-process emulators, and providers configured for them."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest
from pulumi_testkit import TOKEN, configured

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
def slow_emulator() -> Iterator[Emulator]:
    """Operations stay pending for a minute (one per test: an account can have only one pending operation)."""
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=60.0, running_seconds=1.0)) as emu:
        yield emu


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., Emulator]]:
    """Emulators with other timings (e.g. short-lived records); stopped after the test."""
    started: List[Emulator] = []

    def start(**overrides: Any) -> Emulator:
        emu = Emulator(EmulatorConfig(token=TOKEN, **overrides)).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def provider_for() -> Callable[[Emulator], BulkOperationProvider]:
    def make(emu: Emulator) -> BulkOperationProvider:
        return configured({"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emu.base_url})

    return make
