"""Fixtures for the emulator's tests: real HTTP on 127.0.0.1, every emulator stopped after its test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from emulator_testkit import ACCOUNT, FAST, Api, bearer

from edgeops_cloudflare_lists.emulator import Emulator
from tests.fake_clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start emulators with config overrides (on top of FAST); all are stopped after the test."""
    started: List[Emulator] = []

    def start(clock: Optional[Callable[[], float]] = None, **overrides: Any) -> Emulator:
        config = replace(FAST, **overrides)
        emulator = Emulator(config, clock=clock) if clock is not None else Emulator(config)
        started.append(emulator.start())
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def api_for() -> Callable[..., Api]:
    def make(emulator: Emulator, headers: Optional[Dict[str, str]] = None, account: str = ACCOUNT) -> Api:
        return Api(emulator.base_url, bearer(emulator) if headers is None else headers, account)

    return make


@pytest.fixture
def emulator(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator()


@pytest.fixture
def api(emulator: Emulator, api_for: Callable[..., Api]) -> Api:
    return api_for(emulator)


@pytest.fixture
def frozen(start_emulator: Callable[..., Emulator], clock: FakeClock) -> Emulator:
    """An emulator whose operations move only with ``clock.advance``: pending 1 s, then running 1 s."""
    return start_emulator(clock=clock, pending_seconds=1.0, running_seconds=1.0)


@pytest.fixture
def frozen_api(frozen: Emulator, api_for: Callable[..., Api]) -> Api:
    return api_for(frozen)
