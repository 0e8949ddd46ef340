"""Deploy the blocklist program three times and show what each deployment did.

    export CLOUDFLARE_BASE_URL=... CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
    python examples/pulumi/blocklist/run_demo.py

1. the first deployment creates the list and both teams' items;
2. the second, of the same program, changes nothing (the items are compared as Cloudflare stores them);
3. the third adds one address to the scanner feed: one bulk operation, with exactly that address.

With the ``pulumi`` CLI on PATH (``make pulumi-engine`` builds it), each deployment is a ``pulumi up`` through the
real engine, on a throwaway local stack: the Automation API runs this program inline, so no Python language plugin
is needed. Without it, one line says so, then the program runs on the Pulumi SDK's mock monitor and each resource
is driven through the real provider server, as the engine would drive it (Check, then Create, or Diff and Update).
The first line says which. Exit status 0, or 1 on failure.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
PROJECT = "cloudflare-lists-blocklist"  # as in Pulumi.yaml
FEEDS: List[List[str]] = [
    ["203.0.113.10", "203.0.113.11"],
    ["203.0.113.10", "203.0.113.11"],
    ["203.0.113.10", "203.0.113.11", "203.0.113.12"],
]


def main() -> int:
    if not os.environ.get("CLOUDFLARE_ACCOUNT_ID"):
        print("run_demo: set CLOUDFLARE_ACCOUNT_ID, and CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL as needed.")
        return 2
    pulumi = shutil.which("pulumi")
    if pulumi:
        print(f"Pulumi engine: {pulumi}, running each `pulumi up` on a throwaway local stack (Automation API).")
        return with_pulumi_engine(pulumi)
    print("pulumi CLI not found: running the program on the SDK's mock monitor, each resource through the provider")
    print("server as the engine would drive it (Check, then Create, or Diff and Update).")
    return with_provider_server()


def with_pulumi_engine(pulumi: str) -> int:
    from pulumi import automation as auto

    from pulumi_provider.testing import AutomationEngine

    with tempfile.TemporaryDirectory(prefix="cloudflare-lists-blocklist-") as work:
        try:
            engine = AutomationEngine(pulumi, str(HERE / "__main__.py"), project=PROJECT, work=work)
            show(engine.up, engine.destroy)
        except auto.CommandError as exc:
            print(f"run_demo: {exc}", file=sys.stderr)
            return 1
    return 0


def with_provider_server() -> int:
    from pulumi_provider.testing import ProgramEngine, ProviderCallError, ProviderServer

    # No stack config here: like `pulumi up`, the provider falls back on CLOUDFLARE_* in its environment.
    with ProviderServer(cwd=str(HERE)) as server:
        server.configure({})
        engine = ProgramEngine(server, project=PROJECT)
        try:
            show(lambda config: engine.up(str(HERE / "__main__.py"), config), engine.destroy)
        except (ProviderCallError, ValueError) as exc:
            print(f"run_demo: {getattr(exc, 'message', exc)}", file=sys.stderr)
            return 1
    return 0


def show(up: Callable[[Dict[str, str]], Tuple[List[Any], Dict[str, Any]]], destroy: Callable[[], Any]) -> None:
    """The three deployments, one line each, the last one's exports, then a destroy."""
    exports: Dict[str, Any] = {}
    for number, feed in enumerate(FEEDS, 1):
        steps, exports = up({f"{PROJECT}:scannerFeed": json.dumps(feed)})
        print(f"== up #{number}: " + ", ".join(f"{step.name} {step.op}" for step in steps))
    print(json.dumps(exports, indent=2, sort_keys=True))
    destroy()


if __name__ == "__main__":
    sys.exit(main())
