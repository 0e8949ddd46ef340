"""Helpers for the Pulumi provider's unit tests: configured providers, and operation ids from the emulator."""

from __future__ import annotations

import itertools
from typing import Any, Dict, List

import requests
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import BulkOperationProvider

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
# Distinctive, so a leak is found by searching for it.
TOKEN = "pulumi-unit-token-0f3c9b"
GOOD_ITEMS: List[Dict[str, Any]] = [{"ip": "192.0.2.1"}]
BAD_ITEMS: List[Dict[str, Any]] = [{"ip": "10.0.0.0/7"}]  # a /7 is refused, so the operation ends failed

_names = itertools.count()


def write_items(emulator: Emulator, items: List[Dict[str, Any]], account: str = ACCOUNT) -> str:
    """Create a list and append ``items`` to it over HTTP; return the bulk operation's id."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {emulator.config.token}"
    lists = f"{emulator.base_url}/accounts/{account}/rules/lists"
    created = session.post(lists, json={"name": f"unit_{next(_names)}", "kind": "ip"}, timeout=10)
    created.raise_for_status()
    written = session.post(f"{lists}/{created.json()['result']['id']}/items", json=items, timeout=10)
    written.raise_for_status()
    return str(written.json()["result"]["operation_id"])


def configured(config: Dict[str, Any]) -> BulkOperationProvider:
    """A provider configured as the provider server configures one after unpickling it."""
    provider = BulkOperationProvider()
    provider.configure(ConfigureRequest(Config(raw_config=config, project_name="project")))
    return provider
