"""Helpers for the Pulumi provider's unit tests: configured providers, and operation ids from the emulator."""

from __future__ import annotations

from typing import Any, Dict, List

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_provider import BulkOperationProvider

# Distinctive, so a leak is found by searching for it.
TOKEN = "pulumi-unit-token-0f3c9b"
GOOD_ITEMS: List[Dict[str, Any]] = [{"ip": "192.0.2.1"}]
BAD_ITEMS: List[Dict[str, Any]] = [{"ip": "10.0.0.0/7"}]  # a /7 is refused, so the operation ends failed


def configured(config: Dict[str, Any]) -> BulkOperationProvider:
    """A provider configured as the provider server configures one after unpickling it."""
    provider = BulkOperationProvider()
    provider.configure(ConfigureRequest(Config(raw_config=config, project_name="project")))
    return provider
