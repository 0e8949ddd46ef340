"""Session-wide test settings: the request budget keeps its state in a folder of this run, at a test rate.

The tests make thousands of requests to emulators on 127.0.0.1 with a handful of test tokens; at the real
budget (90 % of 1,200 per 5 minutes) they would queue for many minutes. The budget's own tests set their rates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import RATE_ENV

TEST_RATE = "100000/300"


@pytest.fixture(autouse=True, scope="session")
def isolated_request_budget(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("cache")
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", RATE_ENV)}
    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.environ[RATE_ENV] = TEST_RATE
    yield cache
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
