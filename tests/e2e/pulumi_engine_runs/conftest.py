"""One built engine, one file backend and one emulator for the tests through the real Pulumi engine.

They share the emulator and the backend (each test has its own stacks and list names), since starting the CLI
and a provider process is the slow part; tests that need an emulator of their own (other limits) start one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeops_cloudflare_lists.emulator import Emulator
from tests.e2e.pulumi_engine import recorded_emulator_fixtures
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, engine_root

TOKEN = "engine-tests-token-5d1f83a0"  # distinctive, so any leak is found by searching for it


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(engine_root(), tmp_path_factory.mktemp("pulumi-engine"))


recorded, emulator, recorder = recorded_emulator_fixtures(TOKEN, scope="session")


@pytest.fixture(scope="session")
def credentials(emulator: Emulator) -> Credentials:
    return Credentials(TOKEN, emulator.base_url)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path
