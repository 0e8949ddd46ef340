"""tools/module_docs.py: every module's RETURN string is what docs/module_returns.yml gives, and a value written once
there reaches every module that returns it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest
import yaml

from tools import module_docs

REPO = Path(__file__).resolve().parents[3]
MODULE_NAMES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


@pytest.fixture(scope="module")
def planned() -> Dict[Path, Tuple[str, str]]:
    return module_docs.plan()


@pytest.fixture()
def copies(tmp_path: Path) -> Tuple[Path, Path]:
    """The source and the modules, copied where a test may change them."""
    source = tmp_path / "module_returns.yml"
    shutil.copy(module_docs.SOURCE, source)
    modules = tmp_path / "modules"
    shutil.copytree(module_docs.MODULES, modules, ignore=shutil.ignore_patterns("__pycache__"))
    return source, modules


def return_values(module: Path) -> dict:
    text = module.read_text(encoding="utf-8")
    return yaml.safe_load(text.split('RETURN = r"""\n', 1)[1].split('"""', 1)[0])


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_return_is_what_make_docs_writes(module: str, planned: Dict[Path, Tuple[str, str]]) -> None:
    current, expected = planned[module_docs.MODULES / f"{module}.py"]
    assert current == expected, (
        f"plugins/modules/{module}.py: RETURN differs from what docs/module_returns.yml gives; run `make docs`"
    )


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_return_parses_to_the_source_values(module: str) -> None:
    source = yaml.safe_load(module_docs.SOURCE.read_text(encoding="utf-8"))["modules"][module]
    assert return_values(module_docs.MODULES / f"{module}.py") == source


def test_a_shared_value_edited_once_reaches_every_module_that_returns_it(copies: Tuple[Path, Path]) -> None:
    source, modules = copies
    old = "description: The HTTP status of Cloudflare's last answer, when it was an error."
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1
    source.write_text(text.replace(old, "description: The HTTP status of the last error."), encoding="utf-8")

    users = [modules / f"{name}.py" for name in ("bulk_operation_info", "rules_list", "rules_list_items")]
    assert module_docs.stale(source, modules) == users
    assert module_docs.write(source, modules) == users
    assert module_docs.stale(source, modules) == []
    for module in users:
        assert return_values(module)["http_status"]["description"] == "The HTTP status of the last error."
    assert "http_status" not in return_values(modules / "rules_list_info.py")


def test_check_names_the_module_edited_by_hand_and_says_to_run_make_docs(copies: Tuple[Path, Path]) -> None:
    source, modules = copies
    module = modules / "rules_list_items.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("description: Items removed.", "description: Items deleted."), encoding="utf-8")

    check = [sys.executable, str(REPO / "tools" / "module_docs.py"), "--source", str(source), "--modules", str(modules)]
    checked = subprocess.run([*check, "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 1
    assert "rules_list_items.py" in checked.stdout
    assert "rules_list.py" not in checked.stdout
    assert "run 'make docs'" in checked.stdout
    assert module.read_text(encoding="utf-8") != text

    written = subprocess.run(check, capture_output=True, text=True, check=False)
    assert written.returncode == 0, written.stderr
    assert module.read_text(encoding="utf-8") == text


def test_only_the_return_string_is_rewritten(copies: Tuple[Path, Path]) -> None:
    source, modules = copies
    module = modules / "rules_list_info.py"
    text = module.read_text(encoding="utf-8")
    before, _, after = text.partition(module_docs.HEADER)
    module.write_text(before + 'RETURN = r"""\nlists: {}\n"""\n' + after.split('"""\n', 2)[2], encoding="utf-8")

    assert module_docs.write(source, modules) == [module]
    assert module.read_text(encoding="utf-8") == text


def test_aliases_and_merge_keys_are_resolved_and_the_text_kept_as_written(tmp_path: Path) -> None:
    source = tmp_path / "module_returns.yml"
    source.write_text(
        """\
sentences:
  shared: &shared A sentence that two modules share, long enough
    to be written on two lines.
shared:
  facts: &facts
    sample: {id: "0001", status: completed}
    type: dict
    returned: always
modules:
  one:
    facts:
      <<: *facts
      description:
        - *shared
        - The first module's own sentence.
  two:
    facts: *facts
""",
        encoding="utf-8",
    )

    assert module_docs.returns(source) == {
        "one": """\
facts:
  description:
    - A sentence that two modules share, long enough
      to be written on two lines.
    - The first module's own sentence.
  returned: always
  type: dict
  sample: {id: "0001", status: completed}
""",
        "two": """\
facts:
  returned: always
  type: dict
  sample: {id: "0001", status: completed}
""",
    }


def test_a_module_the_source_does_not_know_is_an_error(copies: Tuple[Path, Path]) -> None:
    source, modules = copies
    (modules / "rules_list_tags.py").write_text('RETURN = r"""\n"""\n', encoding="utf-8")

    with pytest.raises(module_docs.SourceError, match="no return values for rules_list_tags"):
        module_docs.stale(source, modules)


def test_a_key_that_replaces_a_merged_one_is_an_error(tmp_path: Path) -> None:
    """Ansible's YAML loader, which ansible-lint reads the source with, warns of it as a duplicate key."""
    source = tmp_path / "module_returns.yml"
    source.write_text(
        """\
shared:
  facts: &facts
    description: The facts.
    type: dict
modules:
  one:
    facts:
      <<: *facts
      type: list
""",
        encoding="utf-8",
    )

    with pytest.raises(module_docs.SourceError, match="line 9: 'type' is also merged in"):
        module_docs.returns(source)
