"""The emulator fixture: emulators on 127.0.0.1 started for a test, each stopped after it.

``start_emulator(clock=None, **fields)`` starts one from ``emulator_config`` with ``fields`` replaced (and on
``clock``, when given, so a test moves its time). A suite sets its own starting configuration by overriding the
``emulator_config`` fixture in its conftest. Conftests import both fixtures from here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator, List, Optional

import pytest

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """What every ``start_emulator`` call starts from."""
    return EmulatorConfig()


@pytest.fixture
def start_emulator(emulator_config: EmulatorConfig) -> Iterator[Callable[..., Emulator]]:
    started: List[Emulator] = []

    def start(clock: Optional[Callable[[], float]] = None, **fields: Any) -> Emulator:
        config = dataclasses.replace(emulator_config, **fields)
        emulator = Emulator(config, clock=clock) if clock is not None else Emulator(config)
        started.append(emulator.start())
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
