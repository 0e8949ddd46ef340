"""The native provider through the real engine: YAML programs run by the plain CLI, TypeScript programs through
Node's Automation API, each in a project folder of its own on the engine tests' file backend.

Pulumi YAML's language host comes from ``tools/build-pulumi-yaml.sh`` (``make pulumi-engine`` builds it beside the
CLI); the Node SDK (npm ``@pulumi/pulumi``) and the TypeScript compiler are installed once into the cache beside
them by the first test that needs them. Like the CLI, none of it is in the repository, and the tests fail, saying
how to get it, when it is missing (unless ``EDGEOPS_SKIP_PULUMI_ENGINE`` is set).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pytest

from tests.e2e.pulumi_engine_runs.engine import REPOSITORY, SKIP_ENV, Credentials, Engine, build_env

YAML_BUILD_SCRIPT = REPOSITORY / "tools" / "build-pulumi-yaml.sh"
EXAMPLES = REPOSITORY / "examples" / "pulumi" / "native"
YAML_EXAMPLE = EXAMPLES / "yaml" / "Pulumi.yaml"
TYPESCRIPT_EXAMPLE = EXAMPLES / "typescript" / "index.ts"
NODE_DRIVER = Path(__file__).with_name("node_driver.js")
#: Where ``pip install`` put ``pulumi-resource-cloudflare-lists``.
PLUGIN_DIR = Path(sys.executable).parent
NODE_PACKAGES = ("@pulumi/pulumi@3.270.0", "typescript@5.6.3")
TSC_FLAGS = ("--strict", "--target", "es2020", "--module", "commonjs", "--esModuleInterop", "--skipLibCheck")

_names = itertools.count()


def cache_root() -> Path:
    env = build_env()
    if env.get("EDGEOPS_CACHE_DIR"):
        return Path(env["EDGEOPS_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edgeops-cloudflare-lists"


def yaml_host_dir() -> Path:
    """The folder holding the built ``pulumi-language-yaml``."""
    if os.environ.get(SKIP_ENV):
        pytest.skip(f"{SKIP_ENV} is set: the tests through the real Pulumi engine are skipped")
    found = subprocess.run(
        [str(YAML_BUILD_SCRIPT), "--check"], env=build_env(), capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        pytest.fail(
            "Pulumi YAML's language host is not built. Build it with `make pulumi-engine` (about 4 minutes the "
            f"first time; `make test` does it), or set {SKIP_ENV}=1 to skip these tests. {found.stderr.strip()}",
            pytrace=False,
        )
    return Path(found.stdout.strip()) / "bin"


def node_modules() -> Path:
    """A ``node_modules`` with the Node SDK and the TypeScript compiler, installed into the cache on first use."""
    if os.environ.get(SKIP_ENV):
        pytest.skip(f"{SKIP_ENV} is set: the tests through the real Pulumi engine are skipped")
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail(f"node and npm are needed for the TypeScript engine tests; or set {SKIP_ENV}=1", pytrace=False)
    folder = cache_root() / ("node-" + "-".join(p.replace("@", "").replace("/", "-") for p in NODE_PACKAGES))
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "installed"
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time; the next finds it done
        if not done.exists():
            install = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", str(folder)]
            subprocess.run(
                [*install, *NODE_PACKAGES],
                check=True,
                capture_output=True,
                timeout=900,
            )
            done.write_text(" ".join(NODE_PACKAGES) + "\n")
    return folder / "node_modules"


def _run(args: List[str], *, cwd: Path, env: Mapping[str, str], check: bool) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args[:3])}... failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


class YamlProject:
    """A ``runtime: yaml`` project in its own folder, with one stack, run by the plain CLI."""

    def __init__(self, engine: Engine, program: str, credentials: Credentials, account_id: str) -> None:
        self.engine = engine
        self.stack = f"y{next(_names)}"
        self.folder = engine.work / "yaml" / self.stack
        self.folder.mkdir(parents=True)
        path = os.pathsep.join([str(engine.root / "bin"), str(yaml_host_dir()), str(PLUGIN_DIR), os.environ["PATH"]])
        self.env = {**os.environ, **engine.env_vars, "PATH": path, "NO_COLOR": "1"}
        self.write(program)
        self.cli("stack", "init", self.stack)
        self.cli("config", "set", "accountId", account_id)
        self.cli("config", "set", "cloudflare-lists:baseUrl", credentials.base_url)
        secrecy = "--secret" if credentials.secret else "--plaintext"
        self.cli("config", "set", secrecy, "cloudflare-lists:apiToken", credentials.token)

    @property
    def program(self) -> str:
        return (self.folder / "Pulumi.yaml").read_text(encoding="utf-8")

    def write(self, program: str) -> None:
        (self.folder / "Pulumi.yaml").write_text(program, encoding="utf-8")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run([self.engine.command.command, *args], cwd=self.folder, env=self.env, check=check)

    def op(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``pulumi <args>`` on the stack, as a user runs it in CI: no prompt, no colour."""
        return self.cli(*args, "--stack", self.stack, "--non-interactive", "--color", "never", check=check)

    def outputs(self) -> Dict[str, Any]:
        return dict(json.loads(self.op("stack", "output", "--json", "--show-secrets").stdout))

    def state_files(self) -> List[Path]:
        """The backend's files for this project: its stack's checkpoint, backups and history."""
        name = yaml_project_name(self.program)
        return [path for path in self.engine.state_files() if f"/{name}/" in path.as_posix()]


def yaml_project_name(program: str) -> str:
    for line in program.splitlines():
        if line.startswith("name:"):
            return line.partition(":")[2].strip()
    raise ValueError("the program names no project")


@dataclass(frozen=True)
class Step:
    """One Automation API operation on one of a program's compiled variants."""

    op: str
    variant: str = "index"
    expect_no_changes: bool = False


class NodeProgram:
    """A TypeScript program and its variants (``{"index": source, "edited": source}``), compiled together, run
    through the Node Automation API (an inline program: the Node SDK hosts the language runtime in the driver's
    process), several steps per driver run."""

    def __init__(self, engine: Engine, variants: Mapping[str, str], credentials: Credentials, account_id: str) -> None:
        self.engine = engine
        self.stack = f"n{next(_names)}"
        self.project = "cloudflare-lists-typescript"
        self.folder = engine.work / "node" / self.stack
        self.folder.mkdir(parents=True)
        (self.folder / "node_modules").symlink_to(node_modules(), target_is_directory=True)
        shutil.copy(NODE_DRIVER, self.folder / "driver.js")
        self.config = {
            "accountId": {"value": account_id},
            "cloudflare-lists:baseUrl": {"value": credentials.base_url},
            "cloudflare-lists:apiToken": {"value": credentials.token, "secret": credentials.secret},
        }
        for name, source in variants.items():
            (self.folder / f"{name}.ts").write_text(source, encoding="utf-8")
        tsc = self.folder / "node_modules" / "typescript" / "bin" / "tsc"
        sources = [f"{name}.ts" for name in variants]
        _run(["node", str(tsc), *TSC_FLAGS, "--outDir", "out", *sources], cwd=self.folder, env=os.environ, check=True)

    def run(self, *steps: Step, config: Optional[Mapping[str, str]] = None) -> List[Dict[str, Any]]:
        """The steps in order: ``{"changes": {...}, "outputs": {...}, "display": "..."}`` each; a step that fails
        ends the run with an ``AssertionError`` carrying its error."""
        request = {
            "stack": self.stack,
            "project": self.project,
            "workDir": str(self.folder),
            "pulumiRoot": str(self.engine.root),
            "backend": self.engine.backend.as_uri(),
            "pulumiHome": self.engine.env_vars["PULUMI_HOME"],
            "env": {**self.engine.env_vars, "NO_COLOR": "1"},
            "config": {**self.config, **{key: {"value": value} for key, value in (config or {}).items()}},
            "plugins": [{"name": "cloudflare-lists", "path": str(PLUGIN_DIR)}],
            "steps": [
                {
                    "op": step.op,
                    "program": str(self.folder / "out" / f"{step.variant}.js"),
                    "expectNoChanges": step.expect_no_changes,
                }
                for step in steps
            ],
        }
        done = _run(["node", "driver.js", json.dumps(request)], cwd=self.folder, env=os.environ, check=False)
        if done.returncode != 0:
            raise AssertionError(f"the node driver failed:\n{done.stderr}")
        results = list(json.loads(done.stdout.strip().splitlines()[-1]))
        failed = [result["error"] for result in results if "error" in result]
        if failed:
            raise AssertionError(f"step {len(results)} of {len(steps)} failed: {failed[0]}")
        return results
