"""Run the Pulumi example on one bulk operation and print its facts as JSON.

    CLOUDFLARE_BASE_URL=... CLOUDFLARE_API_TOKEN=... \\
    CLOUDFLARE_ACCOUNT_ID=... CLOUDFLARE_OPERATION_ID=... python examples/pulumi/run_demo.py

With the ``pulumi`` CLI on PATH (``make pulumi-engine`` builds it): ``pulumi up`` of this directory's program
through the real engine, on a throwaway local stack (the Automation API runs the program inline, so no Python
language plugin is needed). Without it: one line says so, then the same provider is driven through its real gRPC
server, as the engine would drive it (Configure, Check, Create). Either way the first line says which, and the
facts are printed the same way.
Exit status: 0 when the operation completed (or was recorded), 1 when Pulumi or the provider failed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
PROJECT = "cloudflare-lists-wait"  # as in Pulumi.yaml
# The program's exports (see __main__.py), in the order printed.
EXPORTS = ("account_id", "operation_id", "status", "finished", "succeeded", "completed_at", "error")
WAIT_TIMEOUT = 600.0


def main() -> int:
    missing = [name for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_OPERATION_ID") if not os.environ.get(name)]
    if missing:
        return _fail([f"set {' and '.join(missing)}, and CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL as needed."], 2)
    pulumi = shutil.which("pulumi")
    if pulumi:
        print(f"Pulumi engine: {pulumi}, running `pulumi up` on a throwaway local stack (Automation API).")
        return with_pulumi_engine(pulumi)
    print("pulumi CLI not found: driving the provider through its gRPC server instead (Configure, Check, Create).")
    return with_provider_server()


def with_pulumi_engine(pulumi: str) -> int:
    from pulumi import automation as auto

    from pulumi_provider.testing import AutomationEngine

    with tempfile.TemporaryDirectory(prefix="cloudflare-lists-pulumi-") as work:
        try:
            engine = AutomationEngine(pulumi, str(HERE / "__main__.py"), project=PROJECT, work=work)
            _, outputs = engine.up({"waitTimeout": str(WAIT_TIMEOUT)})
        except auto.CommandError as exc:
            return _fail([str(exc)])
    print(json.dumps({name: outputs.get(name) for name in EXPORTS}, indent=2))
    return 0


def with_provider_server() -> int:
    from pulumi_provider import BulkOperationProvider
    from pulumi_provider.testing import ProviderCallError, ProviderServer

    inputs: Dict[str, Any] = {
        "account_id": os.environ["CLOUDFLARE_ACCOUNT_ID"],
        "operation_id": os.environ["CLOUDFLARE_OPERATION_ID"],
        "wait_timeout": WAIT_TIMEOUT,
    }
    with ProviderServer(BulkOperationProvider(), cwd=str(HERE)) as server:
        try:
            # No stack config here: like `pulumi up`, the provider falls back on CLOUDFLARE_* in its environment.
            server.configure({})
            checked = server.check(inputs)
            if checked.failures:
                return _fail([f"{name}: {reason}" for name, reason in checked.failures])
            _, outputs = server.create(checked.inputs)
        except ProviderCallError as exc:
            return _fail([exc.message])
    print(json.dumps({name: outputs.get(name) for name in EXPORTS}, indent=2))
    return 0


def _fail(lines: List[str], status: int = 1) -> int:
    for line in lines:
        print(f"run_demo: {line}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
