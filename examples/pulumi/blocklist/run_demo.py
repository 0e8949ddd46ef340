"""Deploy the blocklist program three times and show what each deployment did.

    export CLOUDFLARE_BASE_URL=... CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
    python examples/pulumi/blocklist/run_demo.py

1. the first deployment creates the list and both teams' items;
2. the second, of the same program, changes nothing (the items are compared as Cloudflare stores them);
3. the third adds one address to the scanner feed: one bulk operation, with exactly that address.

With the ``pulumi`` CLI this is ``pulumi up`` on a throwaway local file backend. Without it, one line says so,
then the program runs on the Pulumi SDK's mock monitor and each resource is driven through the real provider
server, as the engine would drive it (Check, then Create, or Diff and Update). Exit status 0, or 1 on failure.
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
PROJECT = "cloudflare-lists-blocklist"
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
        return with_pulumi_cli(pulumi)
    print("pulumi CLI not found: running the program on the SDK's mock monitor, each resource through the provider")
    print("server as the engine would drive it (Check, then Create, or Diff and Update).")
    return with_provider_server()


def with_pulumi_cli(pulumi: str) -> int:
    with tempfile.TemporaryDirectory(prefix="cloudflare-lists-blocklist-") as work:
        program = Path(work, "program")
        program.mkdir()
        for name in ("Pulumi.yaml", "__main__.py"):
            shutil.copy(HERE / name, program / name)
        Path(work, "state").mkdir()
        env = {
            **os.environ,
            "PULUMI_BACKEND_URL": Path(work, "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "demo",  # encrypts this throwaway stack's secrets; nothing else
            "PULUMI_PYTHON_CMD": sys.executable,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }

        def run(*args: str) -> str:
            done = subprocess.run(  # noqa: S603 - the pulumi CLI found on PATH, fixed arguments
                [pulumi, *args, "--non-interactive"], cwd=program, env=env, check=True, text=True, capture_output=True
            )
            return done.stdout

        try:
            run("stack", "init", "demo")
            for number, feed in enumerate(FEEDS, 1):
                run("config", "set", "scannerFeed", json.dumps(feed))
                print(f"== pulumi up #{number}")
                print(run("up", "--yes", "--skip-preview", "--diff").strip())
            print(run("stack", "output", "--json").strip())
            run("destroy", "--yes", "--skip-preview")
        except subprocess.CalledProcessError as exc:
            print(f"run_demo: `pulumi {' '.join(exc.cmd[1:3])}` failed: {exc.stderr.strip()}", file=sys.stderr)
            return 1
    return 0


def with_provider_server() -> int:
    from pulumi_provider.testing import ProgramEngine, ProviderCallError, ProviderServer

    # No stack config here: like `pulumi up`, the provider falls back on CLOUDFLARE_* in its environment.
    with ProviderServer(cwd=str(HERE)) as server:
        server.configure({})
        engine = ProgramEngine(server, project=PROJECT)
        try:
            exports: Dict[str, Any] = {}
            for number, feed in enumerate(FEEDS, 1):
                steps, exports = engine.up(str(HERE / "__main__.py"), {f"{PROJECT}:scannerFeed": json.dumps(feed)})
                print(f"== up #{number}: " + ", ".join(f"{step.name} {step.op}" for step in steps))
            print(json.dumps(exports, indent=2, sort_keys=True))
            engine.destroy()
        except (ProviderCallError, ValueError) as exc:
            print(f"run_demo: {getattr(exc, 'message', exc)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
