"""A Cloudflare Rules Lists API emulator on loopback, for demos, end-to-end tests and local development.

It serves the 11 Rules Lists operations under ``/client/v4`` the way the service behaves: asynchronous bulk
writes that go pending -> running -> completed or failed, 429 for a write to a busy list, per-credential rate
limiting with code 971, Cloudflare's auth and routing errors, and seeded fault injection (edge HTML 502/503, 429,
slow responses, dropped connections). It shares no code with the client it is meant to test.

    with Emulator(EmulatorConfig(pending_seconds=0.05, running_seconds=0.05)) as emulator:
        client = make_client(base_url=emulator.base_url, token=emulator.config.token)
"""

from .config import FAULT_KINDS, EmulatorConfig
from .server import Emulator, main

__all__ = ["FAULT_KINDS", "Emulator", "EmulatorConfig", "main"]
