"""Fixtures for the core's unit tests: simulated time, so nothing here ever really sleeps."""

from __future__ import annotations

import os
import random
import sys
from typing import Iterator, List

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient

# The tests import ``core_testkit`` (constants and builders) and ``hostile_servers`` (from tests/) by name. Plain
# pytest puts this directory on sys.path itself; ansible-test imports test files as ``ansible_collections....``
# packages and does not, so do it here.
_HERE = os.path.dirname(os.path.abspath(__file__))
_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
for _directory in (_TESTS, _HERE):
    if _directory not in sys.path:
        sys.path.insert(0, _directory)

from core_testkit import TOKEN  # noqa: E402 - found through the path just set


class FakeClock:
    """A monotonic clock that only moves when something sleeps through it (or a test advances it).

    A ``Clock``: pass it as the clock.
    """

    shared = False

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self.current = start
        self.sleeps: List[float] = []

    def now(self) -> float:
        return self.current

    def __call__(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.sleeps.append(seconds)
        self.current += seconds

    def advance(self, seconds: float) -> None:
        self.current += seconds

    @property
    def elapsed(self) -> float:
        return self.current - self.start


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """The HTTP mock: every request must match a registered answer (the last one repeats)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(clock: FakeClock) -> Iterator[CloudflareClient]:
    """A token client on the fake clock, with a private request budget on that clock."""
    with CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0)) as c:
        yield c
