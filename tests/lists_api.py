"""The user's side of a list write, for tests: create a list and write items in a running emulator.

Tests of every adapter need a real operation to wait on; this is the one place that makes one.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, List, Set

import requests

from edgeops_cloudflare_lists.emulator import Emulator

_list_names = itertools.count()


def call(emulator: Emulator, method: str, path: str, body: object = None) -> requests.Response:
    """``path`` is below ``/accounts/{account}/rules/lists``."""
    return requests.request(
        method,
        f"{emulator.base_url}/accounts/{emulator.config.account_id}/rules/lists{path}",
        json=body,
        headers={"Authorization": f"Bearer {emulator.config.token}"},
        timeout=10,
    )


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
