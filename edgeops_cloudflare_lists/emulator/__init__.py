"""A Cloudflare Rules Lists API emulator on loopback, for demos, end-to-end tests and local development.

It serves the 11 Rules Lists operations under ``/client/v4`` the way the service behaves: asynchronous bulk
writes that go pending -> running -> completed or failed, one pending bulk operation per account (429 for a write
meanwhile), items stored in Cloudflare's canonical forms and read sorted with cursor pagination, an item cap per
account, per-credential rate limiting with code 971 and ``Ratelimit`` headers, Cloudflare's auth and routing
errors, and seeded fault injection (edge HTML 502/503, 429, slow responses, dropped connections). It shares no code
with the client it is meant to test; :func:`.items.validate_item` is its canonicalizer as a pure function.

    with Emulator(EmulatorConfig(pending_seconds=0.05, running_seconds=0.05)) as emulator:
        ...  # CLOUDFLARE_BASE_URL=emulator.base_url, CLOUDFLARE_API_TOKEN=emulator.config.token
        emulator.stats()  # requests served, responses by status, 429s by kind
"""

from .config import FAULT_KINDS, ITEM_ERROR_MODES, EmulatorConfig
from .items import ItemError, ValidItem, canonical_item, validate_item
from .server import Emulator, main

__all__ = [
    "FAULT_KINDS",
    "ITEM_ERROR_MODES",
    "Emulator",
    "EmulatorConfig",
    "ItemError",
    "ValidItem",
    "canonical_item",
    "main",
    "validate_item",
]
