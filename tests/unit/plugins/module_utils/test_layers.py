"""The core's layers: the map in layers.py's docstring is the one the imports follow.

Each core module imports the standard library, ``requests`` and ``urllib3``, and core modules of its own layer or
below; only the top layer (the Ansible wrapper and its specs) imports Ansible; nothing imports Pulumi, the command,
the emulator or the collection's modules. Checked on the source (every import, including those inside functions
and under ``TYPE_CHECKING``), and by importing the core where Ansible, Pulumi and the command cannot be imported.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import layers as layer_map

CORE = "ansible_collections.edgeops.cloudflare_lists.plugins.module_utils"
CORE_DIR = Path(layer_map.__file__).parent
# The top layer, the only one that may import Ansible.
ANSIBLE_LAYER = "ansible"
THIRD_PARTY = {"requests", "urllib3"}
# What no core module may import, whatever the map says: the adapters and the emulator.
ADAPTERS = ("ansible", "pulumi", "pulumi_provider", "edgeops_cloudflare_lists", "werkzeug")

_LAYER_LINE = re.compile(r"^  ([a-z]+) {2,}([a-z_][a-z0-9_ ]*)$")


def layers() -> List[Tuple[str, List[str]]]:
    """``[(layer, [module, ...]), ...]``, lowest first, as the docstring of layers.py draws them."""
    found = []
    for line in (layer_map.__doc__ or "").splitlines():
        match = _LAYER_LINE.match(line)
        if match:
            found.append((match.group(1), match.group(2).split()))
    return found


def layer_of() -> Dict[str, int]:
    return {module: rank for rank, (_name, modules) in enumerate(layers()) for module in modules}


def imports(source: Path) -> Iterator[str]:
    """Every module ``source`` imports, as an absolute dotted name (``from core import x`` gives ``core.x``)."""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{source.name}: relative import (Ansible's module_utils need absolute ones)"
            module = node.module or ""
            if module == CORE:
                yield from (f"{CORE}.{alias.name}" for alias in node.names)
            else:
                yield module


def core_modules() -> List[str]:
    return sorted(path.stem for path in CORE_DIR.glob("*.py") if path.stem != "__init__")


def test_the_map_places_every_core_module_once() -> None:
    placed = [module for _layer, modules in layers() for module in modules]
    assert layers()[-1][0] == ANSIBLE_LAYER
    assert sorted(placed) == core_modules()  # each module once, and nothing that is not one


@pytest.mark.parametrize("module", core_modules())
def test_a_core_module_imports_only_its_layer_and_below(module: str) -> None:
    rank = layer_of()
    names = {rank_: name for rank_, (name, _modules) in enumerate(layers())}
    upward = []
    for imported in imports(CORE_DIR / f"{module}.py"):
        if imported.startswith(CORE + "."):
            target = imported[len(CORE) + 1 :].split(".")[0]
            if rank[target] > rank[module]:
                upward.append(f"{target} ({names[rank[target]]})")
    assert upward == [], f"{module} ({names[rank[module]]}) imports from a higher layer"


@pytest.mark.parametrize("module", core_modules())
def test_a_core_module_imports_no_adapter_and_only_the_ansible_layer_imports_ansible(module: str) -> None:
    ansible_layer = dict(layers())[ANSIBLE_LAYER]
    allowed = set(sys.stdlib_module_names) | THIRD_PARTY | {"__future__"}
    if module in ansible_layer:
        allowed.add("ansible")
    offenders = []
    for imported in imports(CORE_DIR / f"{module}.py"):
        top = imported.split(".")[0]
        if imported.startswith(CORE + ".") or top in allowed:
            continue
        offenders.append(imported)
    assert offenders == []


def test_the_core_below_the_ansible_layer_imports_without_ansible_pulumi_or_the_command() -> None:
    """In a fresh interpreter where importing an adapter fails, as on a host with only the core's requirements."""
    below = [module for name, modules in layers() if name != ANSIBLE_LAYER for module in modules]
    program = "\n".join(
        [
            "import importlib, sys",
            f"blocked = {ADAPTERS!r}",
            "class Refuse:",
            "    def find_spec(self, name, path=None, target=None):",
            "        if name.split('.')[0] in blocked:",
            "            raise ImportError('blocked: ' + name)",
            "sys.meta_path.insert(0, Refuse())",
            f"for name in {below!r}:",
            f"    importlib.import_module({CORE + '.'!r} + name)",
            "loaded = sorted(name for name in sys.modules if name.split('.')[0] in blocked)",
            "print(loaded)",
        ]
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
