"""Helpers for the emulator's tests: a tiny HTTP client, polling. Fixtures are in conftest.py."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import requests

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.fake_clock import FakeClock

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER_ACCOUNT = "0123456789abcdef0123456789abcdef"

# Fast enough for the suite, slow enough to observe each status with the real clock.
FAST = EmulatorConfig(pending_seconds=0.05, running_seconds=0.05)


class Api:
    """Just enough of a client to drive the emulator; deliberately independent of the product's client."""

    def __init__(self, base_url: str, headers: Dict[str, str], account: str = ACCOUNT) -> None:
        self.base_url = base_url
        self.account = account
        self.session = requests.Session()
        self.session.trust_env = False  # never route loopback through a proxy from the environment
        self.session.headers.update(headers)

    def url(self, path: str = "", account: Optional[str] = None) -> str:
        return f"{self.base_url}/accounts/{account or self.account}/rules/lists{path}"

    def request(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        account = kwargs.pop("account", None)
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path, account), **kwargs)

    def create_list(self, name: str = "office_ips", kind: str = "ip", **extra: Any) -> Dict[str, Any]:
        response = self.request("POST", json={"name": name, "kind": kind, **extra})
        assert response.status_code == 200, response.text
        result: Dict[str, Any] = response.json()["result"]
        return result

    def write(self, method: str, list_id: str, body: Any) -> str:
        response = self.request(method, f"/{list_id}/items", json=body)
        assert response.status_code == 200, response.text
        operation_id: str = response.json()["result"]["operation_id"]
        return operation_id

    def operation(self, operation_id: str) -> Dict[str, Any]:
        response = self.request("GET", f"/bulk_operations/{operation_id}")
        assert response.status_code == 200, response.text
        result: Dict[str, Any] = response.json()["result"]
        return result

    def items(self, list_id: str, **params: Any) -> List[Dict[str, Any]]:
        response = self.request("GET", f"/{list_id}/items", params={"per_page": 500, **params})
        assert response.status_code == 200, response.text
        result: List[Dict[str, Any]] = response.json()["result"]
        return result


def bearer(emulator: Emulator) -> Dict[str, str]:
    return {"Authorization": f"Bearer {emulator.config.token}"}


def finish(api: Api, operation_id: str, clock: Optional[FakeClock] = None, timeout: float = 5.0) -> Dict[str, Any]:
    """Poll until the operation has finished (advancing the fake clock if given) and return its status."""
    deadline = time.monotonic() + timeout
    while True:
        status = api.operation(operation_id)
        if status["status"] in ("completed", "failed"):
            return status
        assert time.monotonic() < deadline, f"operation {operation_id} still {status['status']}"
        if clock is not None:
            clock.advance(1.0)
        else:
            time.sleep(0.02)


def plain_session() -> requests.Session:
    """A session without credentials that ignores proxy settings from the environment."""
    session = requests.Session()
    session.trust_env = False
    return session
