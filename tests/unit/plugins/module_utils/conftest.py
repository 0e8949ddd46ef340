"""Fixtures for the core's unit tests: simulated time, so nothing here ever really sleeps."""

from __future__ import annotations

import random
from typing import Iterator

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import TOKEN


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
