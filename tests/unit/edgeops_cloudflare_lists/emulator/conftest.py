"""Fixtures for the emulator's tests: real HTTP on 127.0.0.1, every emulator stopped after its test."""

from __future__ import annotations

from typing import Callable, Dict, Optional

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.emulators import start_emulator  # noqa: F401
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import Api, bearer

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Fast enough for the suite, slow enough to observe each status with the real clock."""
    return EmulatorConfig(pending_seconds=0.05, running_seconds=0.05)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api_for() -> Callable[..., Api]:
    def make(emulator: Emulator, headers: Optional[Dict[str, str]] = None, account: str = ACCOUNT_ID) -> Api:
        return Api(emulator.base_url, bearer(emulator) if headers is None else headers, account)

    return make


@pytest.fixture
def emulator(start_emulator: Callable[..., Emulator]) -> Emulator:  # noqa: F811 - the fixture imported above
    return start_emulator()


@pytest.fixture
def api(emulator: Emulator, api_for: Callable[..., Api]) -> Api:
    return api_for(emulator)


@pytest.fixture
def frozen(start_emulator: Callable[..., Emulator], clock: FakeClock) -> Emulator:  # noqa: F811
    """An emulator whose operations move only with ``clock.advance``: pending 1 s, then running 1 s."""
    return start_emulator(clock=clock, pending_seconds=1.0, running_seconds=1.0)


@pytest.fixture
def frozen_api(frozen: Emulator, api_for: Callable[..., Api]) -> Api:
    return api_for(frozen)
