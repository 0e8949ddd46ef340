"""Run the Pulumi example on one bulk operation and print its facts as JSON.

    CLOUDFLARE_BASE_URL=... CLOUDFLARE_API_TOKEN=... \\
    CLOUDFLARE_ACCOUNT_ID=... CLOUDFLARE_OPERATION_ID=... python examples/pulumi/run_demo.py

With the ``pulumi`` CLI: ``pulumi up`` of this directory's program on a throwaway local file backend, then
``pulumi stack output --json``. Without it: one line says so, then the same provider is driven through its real
gRPC server, as the engine would drive it (Configure, Check, Create), and the facts are printed the same way.
Exit status: 0 when the operation completed (or was recorded), 1 when Pulumi or the provider failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
# The program's exports (see __main__.py), in the order printed.
EXPORTS = ("account_id", "operation_id", "status", "finished", "succeeded", "completed_at", "error")
WAIT_TIMEOUT = 600.0


def main() -> int:
    missing = [name for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_OPERATION_ID") if not os.environ.get(name)]
    if missing:
        return _fail([f"set {' and '.join(missing)}, and CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL as needed."], 2)
    pulumi = shutil.which("pulumi")
    if pulumi:
        return with_pulumi_cli(pulumi)
    print("pulumi CLI not found: driving the provider through its gRPC server instead (Configure, Check, Create).")
    return with_provider_server()


def with_pulumi_cli(pulumi: str) -> int:
    with tempfile.TemporaryDirectory(prefix="cloudflare-lists-pulumi-") as work:
        program = Path(work, "program")
        program.mkdir()
        for name in ("Pulumi.yaml", "__main__.py"):
            shutil.copy(HERE / name, program / name)
        env = {
            **os.environ,
            "PULUMI_BACKEND_URL": Path(work, "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "demo",  # encrypts this throwaway stack's secrets; nothing else
            # The interpreter that has pulumi_provider, for the program and for the provider's python3 shim.
            "PULUMI_PYTHON_CMD": sys.executable,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        Path(work, "state").mkdir()

        def run(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
            return subprocess.run(  # noqa: S603 - the pulumi CLI found on PATH, fixed arguments
                [pulumi, *args, "--non-interactive"],
                cwd=program,
                env=env,
                check=True,
                text=True,
                stdout=subprocess.PIPE if capture else None,
            )

        try:
            run("stack", "init", "demo")
            run("up", "--yes", "--skip-preview")
            outputs = json.loads(run("stack", "output", "--json", capture=True).stdout)
        except subprocess.CalledProcessError as exc:
            print(f"run_demo: `pulumi {' '.join(exc.cmd[1:3])}` failed (exit {exc.returncode}).", file=sys.stderr)
            return 1
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
