"""The real Pulumi engine for end-to-end tests: the CLI that ``tools/build-pulumi.sh`` builds, driven through the
Automation API with inline programs (the SDK serves the language runtime in this process, so no
``pulumi-language-python`` is needed), on a local file backend under a temporary folder, with a passphrase and no
Pulumi Cloud.

The engine tests never skip silently: without the built CLI they fail, saying how to build it, unless
``EDGEOPS_SKIP_PULUMI_ENGINE`` is set.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

import pytest
from pulumi import automation as auto

REPOSITORY = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = REPOSITORY / "tools" / "build-pulumi.sh"
SKIP_ENV = "EDGEOPS_SKIP_PULUMI_ENGINE"
ROOT_ENV = "PULUMI_ENGINE_ROOT"
PROJECT = "cloudflare-lists-engine-tests"
PASSPHRASE = "engine-tests-passphrase"  # encrypts the throwaway stacks' secrets; nothing else
# Where the build script looks, as it was before tests/conftest.py pointed XDG_CACHE_HOME at this run's folder.
_CACHE_ENV = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "EDGEOPS_CACHE_DIR", "PULUMI_VERSION")}

_stack_names = itertools.count()


def build_env() -> Dict[str, str]:
    """This environment with the cache variables as they were before the session moved XDG_CACHE_HOME: where the
    build scripts (and the caches beside their builds) are."""
    env = {name: value for name, value in os.environ.items() if name not in _CACHE_ENV}
    env.update({name: value for name, value in _CACHE_ENV.items() if value is not None})
    return env


def engine_root() -> Path:
    """The folder whose ``bin/`` holds the built ``pulumi`` and the dynamic-provider launcher."""
    if os.environ.get(SKIP_ENV):
        pytest.skip(f"{SKIP_ENV} is set: the tests through the real Pulumi engine are skipped")
    given = os.environ.get(ROOT_ENV)
    if given:
        root = Path(given)
        if not (root / "bin" / "pulumi").is_file():
            pytest.fail(f"{ROOT_ENV}={given} holds no bin/pulumi: run tools/build-pulumi.sh", pytrace=False)
        return root
    found = subprocess.run([str(BUILD_SCRIPT), "--check"], env=build_env(), capture_output=True, text=True, check=False)
    if found.returncode != 0:
        pytest.fail(
            "The Pulumi engine is not built. Build it with `make pulumi-engine` (about 8 minutes the first time; "
            f"`make test` does it), or set {SKIP_ENV}=1 to skip these tests. {found.stderr.strip()}",
            pytrace=False,
        )
    return Path(found.stdout.strip())


@dataclass(frozen=True)
class Credentials:
    token: str
    base_url: str
    secret: bool = True


class Engine:
    """Stacks of one project in a local file backend under ``work``; every CLI run sees ``env_vars``."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root = root
        self.work = work
        self.backend = work / "state"
        self.backend.mkdir(parents=True, exist_ok=True)
        (work / "home").mkdir(exist_ok=True)
        self.command = auto.PulumiCommand(root=str(root))
        self.env_vars: Dict[str, str] = {
            "PULUMI_BACKEND_URL": self.backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(work / "home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # The launcher beside `pulumi` runs the dynamic provider with this interpreter, which has the package.
            "PULUMI_PYTHON_CMD": sys.executable,
            "PATH": os.pathsep.join([str(root / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]),
        }

    def stack(
        self,
        program: Callable[[], None],
        credentials: Credentials,
        *,
        name: str = "",
        config: Optional[Dict[str, str]] = None,
    ) -> auto.Stack:
        """A new stack of ``program`` in its own project folder, configured with ``credentials`` (as a secret by
        default) and ``config`` (namespaced keys)."""
        stack_name = name or f"s{next(_stack_names)}"
        folder = self.work / "projects" / stack_name
        folder.mkdir(parents=True)
        stack = auto.create_stack(
            stack_name,
            project_name=PROJECT,
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(folder),
                pulumi_home=str(self.work / "home"),
                pulumi_command=self.command,
                env_vars=self.env_vars,
                secrets_provider="passphrase",
                project_settings=auto.ProjectSettings(
                    name=PROJECT, runtime="python", backend=auto.ProjectBackend(self.backend.as_uri())
                ),
            ),
        )
        values = {
            "cloudflare:apiToken": auto.ConfigValue(credentials.token, secret=credentials.secret),
            "cloudflare:baseUrl": auto.ConfigValue(credentials.base_url),
            **{key: auto.ConfigValue(value) for key, value in (config or {}).items()},
        }
        stack.set_all_config(values)
        return stack

    def cli(self, stack: auto.Stack, *args: str) -> subprocess.CompletedProcess[str]:
        """The plain CLI in a new process, in the stack's project folder (no Automation API, no program)."""
        return subprocess.run(
            [self.command.command, *args, "--stack", stack.name, "--non-interactive", "--yes"],
            cwd=stack.workspace.work_dir,
            env={**os.environ, **self.env_vars},
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    def state_files(self) -> List[Path]:
        """Every file the backend wrote: stacks, their backups and history."""
        return [path for path in self.backend.rglob("*") if path.is_file()]


#: A resource's first line in a diff: ``~ cloudflare-lists:index:RulesList: (update)``, or a dynamic resource's
#: ``pulumi-python:dynamic/cloudflare-lists:RulesList: (same)``.
_RESOURCE_HEADER = re.compile(r"^[~+\-=<> ]*[\w./-]+:[\w./-]*:[\w./-]+: \(")


def changed_items_shown(display: str) -> List[str]:
    """The changed leaves that ``--diff`` shows inside a resource's input ``items``, one per line, as ``comment: "a"
    => "b"``, ``ip: "203.0.113.66"`` or ``[2]: "203.0.113.11"``: what a user reads as the items that change."""
    shown: List[str] = []
    indent = None
    in_outputs = False  # a resource's or the stack's outputs, after "--outputs:--", until the next resource
    for line in display.splitlines():
        text = line.strip()
        if text == "--outputs:--" or _RESOURCE_HEADER.match(text):
            in_outputs = text == "--outputs:--"
        if in_outputs:
            continue
        if indent is None:
            opened = re.match(r"^(\s*)[~+-] items\s*:\s*\[$", line)
            indent = len(opened.group(1)) if opened else None
            continue
        if text == "]" and len(line) - len(line.lstrip()) <= indent + 2:
            indent = None
        elif re.match(r"^[~+-] ", text) and not text.endswith(("{", "[")):
            shown.append(re.sub(r"\s+:", ":", " ".join(text[2:].split()), count=1))
    return shown


def diagnostics(display: str) -> str:
    """The summary the CLI prints at the end of an operation: each resource's warnings and errors, once."""
    return display.partition("\nDiagnostics:\n")[2].partition("\nResources:\n")[0]


def diagnostics_of(display: str, resource: str) -> str:
    """What the summary says of one resource (``RulesList (blocklist)``): its lines, whatever the order in which
    the engine lists the resources."""
    lines = diagnostics(display).splitlines()
    start = next(
        (i + 1 for i, line in enumerate(lines) if line.startswith("  ") and line.strip().endswith(f"{resource}:")),
        len(lines),
    )
    block = []
    for line in lines[start:]:
        if line.startswith("  ") and not line.startswith("   "):  # the next resource's header
            break
        block.append(line.strip())
    return "\n".join(block).strip()


def resource_changes(result: Any) -> Dict[str, int]:
    """What an up, refresh or destroy did: {"create": 2, "same": 1, ...}."""
    return dict(result.summary.resource_changes or {})


def output_values(outputs: Mapping[str, auto.OutputValue]) -> Dict[str, Any]:
    return {name: value.value for name, value in outputs.items()}
