"""The README's YAML and TypeScript programs are the example files the engine tests run, character for character."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parents[4]
EXAMPLES = ("examples/pulumi/native/yaml/Pulumi.yaml", "examples/pulumi/native/typescript/index.ts")
_BLOCK = re.compile(r"<!-- example: (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)```\n", re.DOTALL)


def readme_examples() -> Dict[str, str]:
    return {m["path"]: m["code"] for m in _BLOCK.finditer((ROOT / "README.md").read_text(encoding="utf-8"))}


def test_the_readme_shows_each_native_example_as_it_is_in_its_file() -> None:
    shown = readme_examples()
    assert sorted(shown) == sorted(EXAMPLES)
    for path, code in shown.items():
        assert code == (ROOT / path).read_text(encoding="utf-8"), f"README's copy of {path} differs from the file"


def test_the_engine_tests_run_those_files() -> None:
    from tests.e2e.pulumi_engine_runs.native_engine import TYPESCRIPT_EXAMPLE, YAML_EXAMPLE

    assert [YAML_EXAMPLE, TYPESCRIPT_EXAMPLE] == [ROOT / path for path in EXAMPLES]
