"""Every module's RETURN samples, as ansible-doc shows them: of their documented type and keys, and items in the
canonical form the core gives (an unquoted comma in YAML's flow style would add a key, and fail here)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import KINDS, parse_items

MODULES = sorted(
    path.stem for path in (Path(__file__).parents[4] / "plugins" / "modules").glob("*.py") if path.stem != "__init__"
)
TYPES: Dict[str, Any] = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
# Return values that hold items, as paths from the top (a list's elements are "[]").
ITEM_LISTS = ("plan.add", "plan.update", "plan.change", "plan.remove", "lists[].items", "lists[].list_items")


def return_doc(module: str) -> Dict[str, Any]:
    loaded = importlib.import_module(f"ansible_collections.edgeops.cloudflare_lists.plugins.modules.{module}")
    document = yaml.safe_load(loaded.RETURN)
    assert isinstance(document, dict)
    return document


def specs(document: Dict[str, Any], prefix: str = "") -> Iterator[Tuple[str, Dict[str, Any]]]:
    for name, spec in document.items():
        path = f"{prefix}{name}"
        yield path, spec
        suffix = "[]." if spec.get("type") == "list" else "."
        yield from specs(spec.get("contains") or {}, path + suffix)


def type_problems(path: str, spec: Dict[str, Any], value: Any) -> List[str]:
    """Where ``value`` is not what ``spec`` documents (type, elements, and the keys of ``contains``)."""
    if value is None:
        return []
    expected = TYPES.get(spec["type"], object)
    if (isinstance(value, bool) and expected in (int, (int, float))) or not isinstance(value, expected):
        return [f"{path}: {value!r} is not a {spec['type']}"]
    contains = spec.get("contains") or {}
    values = value if spec["type"] == "list" else [value]
    problems = []
    for element in values:
        if spec["type"] == "list" and "elements" in spec:
            problems += type_problems(f"{path}[]", {"type": spec["elements"]}, element)
        if contains and isinstance(element, dict):
            unknown = set(element) - set(contains)
            problems += [f"{path}: {sorted(unknown)} are not documented keys"] if unknown else []
            for key in set(element) & set(contains):
                problems += type_problems(f"{path}.{key}", contains[key], element[key])
    return problems


def canonical_problems(path: str, items: List[Any]) -> List[str]:
    """Where sample items are not valid items in the core's canonical form."""
    if not items:
        return []
    kinds = {kind for kind in KINDS if kind in items[0]}
    if len(kinds) != 1:
        return [f"{path}: {items[0]!r} names no kind"]
    try:
        parsed = parse_items(kinds.pop(), items)
    except ValueError as exc:
        return [f"{path}: {exc}"]
    canonical = [item.to_dict() for item in parsed]
    return [] if canonical == items else [f"{path}: {items!r} is not the canonical {canonical!r}"]


def sample_items(path: str, sample: Any) -> Iterator[Tuple[str, List[Any]]]:
    """The lists of items in a sample: of an item-holding value, or the before and after items of a diff."""
    if path in ITEM_LISTS and isinstance(sample, list):
        yield path, sample
    if path == "diff" and isinstance(sample, dict):
        for side in ("before", "after"):
            yield f"diff.{side}.items", sample[side]["items"]


@pytest.mark.parametrize("module", MODULES)
def test_every_return_sample_has_its_documented_type_and_keys(module: str) -> None:
    problems = []
    for path, spec in specs(return_doc(module)):
        if "sample" in spec:
            problems += type_problems(path, spec, spec["sample"])
    assert problems == []


@pytest.mark.parametrize("module", MODULES)
def test_every_sample_item_is_a_valid_item_in_canonical_form(module: str) -> None:
    problems = []
    for path, spec in specs(return_doc(module)):
        for where, items in sample_items(path, spec.get("sample")):
            problems += canonical_problems(where, items)
    assert problems == []


def test_the_samples_hold_items_to_check() -> None:
    """The item paths above exist, so the canonical-form test is not vacuous."""
    found = {path for module in MODULES for path, spec in specs(return_doc(module)) if "sample" in spec}
    assert {"plan.update", "plan.change", "lists[].items", "lists[].list_items", "diff"} <= found


def test_an_unquoted_comma_in_a_flow_sample_is_caught() -> None:
    """What ansible-doc showed as `{..., ticket 4711: null}`."""
    (items,) = yaml.safe_load("[[{ip: 198.51.100.0/24, comment: scanner, ticket 4711}]]")
    assert canonical_problems("plan.update", items) != []
