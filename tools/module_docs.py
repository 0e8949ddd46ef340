"""Write each module's RETURN string from docs/module_returns.yml, where every return value is written once.

Usage (from the repository; ``make docs`` runs the first)::

    python tools/module_docs.py            # rewrite the RETURN strings that differ, and name their modules
    python tools/module_docs.py --check    # only name them, and exit 1 if there are any

The source shares values through YAML anchors, aliases and merge keys; a module's RETURN is written out whole, with
every alias and merge resolved. Each text is copied as written in the source, only indented anew, so the modules
keep its line breaks and quoting; what RETURN then parses to is checked against what the source parses to.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import yaml
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "docs" / "module_returns.yml"
MODULES = REPO / "plugins" / "modules"
HEADER = "# RETURN is written by tools/module_docs.py (make docs) from docs/module_returns.yml: edit it there."
RETURN_BLOCK = re.compile(r"^(?:" + re.escape(HEADER) + r'\n)?RETURN = r"""\n.*?^"""\n', flags=re.MULTILINE | re.DOTALL)
# The order of a return value's fields in RETURN; any other field follows, in the source's order.
FIELD_ORDER = ("description", "returned", "type", "elements", "choices", "sample", "version_added", "contains")
MERGE_TAG = "tag:yaml.org,2002:merge"
ANCHOR = re.compile(r"&[^\s,\[\]{}]+\s*")
INDENT = 2


class SourceError(Exception):
    """The source cannot be turned into RETURN strings; the message says where and why."""


class ReturnWriter:
    """Writes return values from the nodes of the composed source, copying each scalar's text from the source."""

    def __init__(self, text: str, root: MappingNode) -> None:
        self.lines = text.splitlines()
        self.indent_of: Dict[int, int] = {}  # id(node) -> the column of the key or "-" it stands after
        self.anchored: Set[int] = set()  # id(node) of the nodes whose text starts with their anchor (&name)
        self._walk(root)

    def _walk(self, node: Node) -> None:
        # Anchors come before their aliases, so the first place a node is met is where its text stands.
        if isinstance(node, MappingNode):
            placed = [(value, key.start_mark.column) for key, value in node.value]
        elif isinstance(node, SequenceNode):
            placed = [(item, item.start_mark.column - len("- ")) for item in node.value]
        else:
            return
        for child, column in placed:
            if id(child) not in self.indent_of:
                self.indent_of[id(child)] = column
                if self.lines[child.start_mark.line][child.start_mark.column :].startswith("&"):
                    self.anchored.add(id(child))
                self._walk(child)

    def return_values(self, node: Node, indent: int = 0) -> List[str]:
        """A mapping of return values (a module's, or what one ``contains``)."""
        lines: List[str] = []
        for name, spec in pairs(expect_mapping(node, "a mapping of return values")):
            lines.append(f"{' ' * indent}{name}:")
            fields = pairs(expect_mapping(spec, f"return value {name}"))
            for field, value in sorted(fields, key=lambda pair: field_rank(pair[0])):
                if field == "contains":
                    lines.append(f"{' ' * (indent + INDENT)}contains:")
                    lines += self.return_values(value, indent + 2 * INDENT)
                else:
                    lines += self.entry(field, value, indent + INDENT)
        return lines

    def entry(self, key: str, node: Node, indent: int) -> List[str]:
        """``key: value`` at ``indent``, a block collection below it."""
        prefix = " " * indent + key + ":"
        if is_block(node, MappingNode):
            return [prefix, *self.mapping(node, indent + INDENT)]
        if is_block(node, SequenceNode):
            return [prefix, *self.sequence(node, indent + INDENT)]
        first, *rest = self.text(node, indent)
        return [f"{prefix} {first}", *rest]

    def mapping(self, node: MappingNode, indent: int) -> List[str]:
        lines: List[str] = []
        for key, value in pairs(node):
            lines += self.entry(key, value, indent)
        return lines

    def sequence(self, node: SequenceNode, indent: int) -> List[str]:
        lines: List[str] = []
        for item in node.value:
            if is_block(item, MappingNode):
                block = self.mapping(item, indent + INDENT)
                block[0] = " " * indent + "- " + block[0][indent + INDENT :]
            elif is_block(item, SequenceNode):
                raise SourceError(f"line {item.start_mark.line + 1}: a block sequence in a block sequence")
            else:
                block = self.text(item, indent)
                block[0] = " " * indent + "- " + block[0]
            lines += block
        return lines

    def text(self, node: Node, indent: int) -> List[str]:
        """A scalar or flow collection as the source writes it: its first line (from where it starts), then its
        other lines moved from under the key or "-" it follows in the source to under one at ``indent``."""
        start, end = node.start_mark, node.end_mark
        last = end.line if end.column > 0 else end.line - 1
        span = self.lines[start.line : last + 1]
        span[-1] = span[-1][: end.column] if last == end.line else span[-1]
        span[0] = span[0][start.column :]
        if id(node) in self.anchored:
            span[0] = ANCHOR.sub("", span[0], count=1)
        shift = indent - self.indent_of[id(node)]
        rest = [reindent(line, shift) for line in span[1:]]
        while rest and not rest[-1].strip():
            rest.pop()
        return [span[0].rstrip()] + [line.rstrip() for line in rest]


def reindent(line: str, shift: int) -> str:
    if not line.strip():
        return ""
    if shift >= 0:
        return " " * shift + line
    if line[:-shift].strip():
        raise SourceError(f"cannot move {line.strip()!r} {-shift} columns left")
    return line[-shift:]


def field_rank(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def is_block(node: Node, kind: type) -> bool:
    return isinstance(node, kind) and isinstance(node, CollectionNode) and not node.flow_style


def expect_mapping(node: Node, what: str) -> MappingNode:
    if not isinstance(node, MappingNode):
        raise SourceError(f"line {node.start_mark.line + 1}: {what} must be a mapping")
    return node


def pairs(node: MappingNode) -> List[Tuple[str, Node]]:
    """A mapping's keys and values, merge keys resolved: merged keys first, then the mapping's own.

    A key of its own may not replace a merged one: Ansible's YAML loader, which ansible-lint reads the source with,
    warns of it as a duplicate key.
    """
    resolved: Dict[str, Node] = {}
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                for name, merged in pairs(expect_mapping(source, "a merge key's value")):
                    resolved.setdefault(name, merged)
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            continue
        if not isinstance(key, ScalarNode):
            raise SourceError(f"line {key.start_mark.line + 1}: keys must be plain scalars")
        if key.value in resolved:
            raise SourceError(
                f"line {key.start_mark.line + 1}: {key.value!r} is also merged in; "
                "define it in each mapping instead, since Ansible's YAML loader takes it for a duplicate key"
            )
        resolved[key.value] = value
    return list(resolved.items())


def compose(text: str) -> MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SourceError(f"not valid YAML: {exc}") from None
    return expect_mapping(root, "the source")


def returns(source: Path = SOURCE) -> Dict[str, str]:
    """Each module's RETURN string, by module name, as the source defines it."""
    text = source.read_text(encoding="utf-8")
    root = compose(text)
    modules = dict(pairs(root)).get("modules")
    if modules is None:
        raise SourceError(f"{source}: no 'modules' section")
    writer = ReturnWriter(text, root)
    expected = yaml.safe_load(text)["modules"]
    written = {}
    for name, node in pairs(expect_mapping(modules, "'modules'")):
        document = "\n".join(writer.return_values(node)) + "\n"
        if '"""' in document or document.rstrip().endswith("\\"):
            raise SourceError(f'{source}: {name}\'s return values cannot stand in a r"""...""" string')
        if yaml.safe_load(document) != expected[name]:
            raise SourceError(f"{source}: {name}'s RETURN as written would not parse to the source's values")
        written[name] = document
    return written


def module_text(current: str, document: str, path: Path) -> str:
    """The module's file with its RETURN string (and the line above it that says where it comes from) written anew."""
    blocks = RETURN_BLOCK.findall(current)
    if len(blocks) != 1:
        raise SourceError(
            f'{path}: expected one RETURN = r"""...""" string at the start of a line, found {len(blocks)}'
        )
    return RETURN_BLOCK.sub(lambda _match: f'{HEADER}\nRETURN = r"""\n{document}"""\n', current)


def module_files(modules: Path) -> Dict[str, Path]:
    return {path.stem: path for path in sorted(modules.glob("*.py")) if path.stem != "__init__"}


def plan(source: Path = SOURCE, modules: Path = MODULES) -> Dict[Path, Tuple[str, str]]:
    """For every module, its file's current and expected text; fails on a module the source lacks, or the reverse."""
    documents = returns(source)
    files = module_files(modules)
    missing, unknown = sorted(set(files) - set(documents)), sorted(set(documents) - set(files))
    if missing or unknown:
        raise SourceError(
            f"{source} and {modules} disagree: "
            + "; ".join(
                part
                for part in (
                    f"no return values for {', '.join(missing)}" if missing else "",
                    f"no module {', '.join(unknown)}" if unknown else "",
                )
                if part
            )
        )
    result = {}
    for name, path in files.items():
        current = path.read_text(encoding="utf-8")
        result[path] = (current, module_text(current, documents[name], path))
    return result


def stale(source: Path = SOURCE, modules: Path = MODULES) -> List[Path]:
    """The module files whose RETURN differs from what ``write`` would make it."""
    return [path for path, (current, expected) in plan(source, modules).items() if current != expected]


def write(source: Path = SOURCE, modules: Path = MODULES) -> List[Path]:
    """Rewrite the RETURN strings that differ; returns the files written."""
    written = []
    for path, (current, expected) in plan(source, modules).items():
        if current != expected:
            path.write_text(expected, encoding="utf-8")
            written.append(path)
    return written


def relative(paths: Iterable[Path]) -> str:
    """Paths as a person in the repository would type them."""
    shown = []
    for path in paths:
        resolved = path.resolve()
        shown.append(str(resolved.relative_to(REPO)) if REPO in resolved.parents else str(path))
    return ", ".join(shown)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a RETURN string differs")
    parser.add_argument("--source", type=Path, default=SOURCE, help="the return values (default: %(default)s)")
    parser.add_argument("--modules", type=Path, default=MODULES, help="the modules' folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            outdated = stale(args.source, args.modules)
            if outdated:
                print(f"RETURN differs from {relative([args.source])} in {relative(outdated)}: run 'make docs'")
                return 1
            print(f"every module's RETURN is as {relative([args.source])} says")
            return 0
        written = write(args.source, args.modules)
    except (SourceError, OSError) as exc:
        print(f"module_docs.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote the RETURN string of {relative(written)}" if written else "every RETURN string was up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
