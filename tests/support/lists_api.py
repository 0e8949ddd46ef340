"""The user's side of the Lists API, for tests: requests to a running emulator, deliberately independent of the
product's client.

``Api`` is just enough of a client to drive the emulator; the functions below make what tests of every adapter need
(a list, a real operation to wait on) through it.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, List, Optional, Set

import requests
from ansible_collections.edgeops.cloudflare_lists.tests.support.clock import FakeClock
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID

from edgeops_cloudflare_lists.emulator import Emulator

_list_names = itertools.count()


class Api:
    """Just enough of a client to drive the emulator; deliberately independent of the product's client."""

    def __init__(self, base_url: str, headers: Dict[str, str], account: str = ACCOUNT_ID) -> None:
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


def call(emulator: Emulator, method: str, path: str, body: object = None) -> requests.Response:
    """``path`` is below ``/accounts/{account}/rules/lists``."""
    return Api(emulator.base_url, bearer(emulator), emulator.config.account_id).request(method, path, json=body)


def create_list(emulator: Emulator, name: str = "", kind: str = "ip") -> str:
    response = call(emulator, "POST", "", {"name": name or f"test_list_{next(_list_names)}", "kind": kind})
    response.raise_for_status()
    return str(response.json()["result"]["id"])


def append_items(emulator: Emulator, list_id: str, items: List[Dict[str, Any]], patience: float = 30.0) -> str:
    """Append ``items``; return the bulk operation's id.

    Cloudflare allows one pending bulk operation per account, and so does the emulator: while an earlier write in
    the account is pending, the write gets a 429 and is tried again, for up to ``patience`` seconds.
    """
    deadline = time.monotonic() + patience
    while True:
        response = call(emulator, "POST", f"/{list_id}/items", items)
        if response.status_code != 429 or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    response.raise_for_status()
    return str(response.json()["result"]["operation_id"])


def write_items(emulator: Emulator, items: List[Dict[str, Any]]) -> str:
    """Append ``items`` to a new list; return the bulk operation's id."""
    return append_items(emulator, create_list(emulator), items)


def list_ips(emulator: Emulator, list_id: str) -> Set[str]:
    response = call(emulator, "GET", f"/{list_id}/items")
    response.raise_for_status()
    return {item["ip"] for item in response.json()["result"]}


def wait_for(emulator: Emulator, operation_id: str, timeout: float = 10.0) -> None:
    """Until an operation the test wrote itself has finished, polling its status as a user would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = call(emulator, "GET", f"/bulk_operations/{operation_id}").json()["result"]["status"]
        if status in ("completed", "failed"):
            return
        time.sleep(0.02)
    raise AssertionError(f"operation {operation_id} did not finish within {timeout} s")
