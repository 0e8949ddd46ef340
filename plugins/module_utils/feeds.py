# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Feed text into items: the one reader of item feeds, for the command and the Ansible filter.

A feed is either a JSON array of items (which may carry comments and redirects), or lines:

- one item a line; blank lines are skipped;
- ``#`` and ``;`` start a comment, on a line of its own or after an item (``192.0.2.0/24 ; SBL123``, as in
  Spamhaus DROP); a trailing comment can become the item's comment;
- a UTF-8 byte order mark is dropped, and a line ends at ``\\n`` or ``\\r\\n`` only. Any other character that some
  tool would take for a line end (``\\r`` alone, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029)
  is refused, so what ``cat`` shows is what the feed holds, and a comment never hides an item.

Every bad line is reported at once (up to ``MAX_REPORTED_PROBLEMS``). Items are checked against a kind here only
when asked (``parse_feed(check_items=True)``, as the Ansible filter does): then a bad item is a bad line too,
named by its line with the others. Otherwise the core checks them once the list's kind is known, naming each as
``items[i]``, which ``line_names`` turns back into its line.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ItemsValidationError,
    ValidationError,
    renamed,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import neutralize

COMMENT_MARKERS = "#;"
MAX_REPORTED_PROBLEMS = 20
BOM = "\ufeff"

# What str.splitlines, a terminal or another tool may take for a line end, besides "\n".
_OTHER_LINE_ENDS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Controls, bidirectional and invisible characters (quoting.neutralize's set), tab aside: never part of an item.
_HIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_BLANKS = " \t"
_MARKER = re.compile(f"[{re.escape(COMMENT_MARKERS)}]")
# The shape of a value, for the field of a commented item when the kind is not given.
_ASN_SHAPE = re.compile(r"(?:AS)?[0-9]+", re.IGNORECASE | re.ASCII)
_IPV4_SHAPE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]+)?", re.ASCII)


class FeedLine(NamedTuple):
    """A line that holds a value: its number (from 1), the value, and its trailing comment, if any."""

    number: int
    value: str
    comment: Optional[str]


class Feed(NamedTuple):
    """A feed's items, as the core's ``items`` take them, and for a feed of lines each item's line number."""

    items: List[Any]
    lines: Optional[List[int]]


def _bad_lines(parameter: str, source: str, problems: List[str]) -> ValidationError:
    shown = problems[:MAX_REPORTED_PROBLEMS]
    more = len(problems) - len(shown)
    text = "; ".join(shown) + (f"; and {more} more" if more else "")
    count = f"{len(problems)} bad line{'s' if len(problems) != 1 else ''}"
    return ValidationError(parameter, f"{source} has {count}: {text}.")


def _line_problem(number: int, line: str) -> Optional[str]:
    other_end = _OTHER_LINE_ENDS.search(line)
    if other_end:
        return (
            f"line {number} holds U+{ord(other_end.group()):04X}, which some tools take for a line end; "
            "end lines with \\n or \\r\\n only"
        )
    return None


def line_names(lines: Sequence[int], prefix: str = "") -> Dict[str, str]:
    """How messages name each item of a feed of lines: ``items[i]`` as its line (``line 7``, or with ``prefix``
    ``--file line 7``), given each item's line number (``Feed.lines``); for ``CloudflareListsError.render``."""
    return {f"items[{index}]": f"{prefix}line {number}" for index, number in enumerate(lines)}


def feed_lines(text: str, *, parameter: str = "feed", source: str = "the feed") -> List[FeedLine]:
    """The lines of ``text`` that hold a value, with their trailing comments; raises on any bad line, naming all.

    ``parameter`` and ``source`` name the feed in messages (``--file``, ``'drop.txt'``).
    """
    lines, problems = _read_lines(text)
    if problems:
        raise _bad_lines(parameter, source, [problem for _number, problem in problems])
    return lines


def _read_lines(text: str) -> Tuple[List[FeedLine], List[Tuple[int, str]]]:
    """The lines that hold a value, and each bad line's number and problem."""
    if text.startswith(BOM):
        text = text[1:]
    lines: List[FeedLine] = []
    problems: List[Tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        problem = _line_problem(number, line)
        if problem:
            problems.append((number, problem))
            continue
        marker = _MARKER.search(line)
        value = (line[: marker.start()] if marker else line).strip(_BLANKS)
        if not value:
            continue
        comment = line[marker.end() :].strip(_BLANKS) if marker else ""
        if any(blank in value for blank in _BLANKS):
            problems.append(
                (number, f"line {number} holds more than one value ({neutralize(value)!r}); give one item a line")
            )
            continue
        hidden = _HIDDEN.search(value + comment)
        if hidden:
            problems.append(
                (
                    number,
                    f"line {number} holds the invisible or control character U+{ord(hidden.group()):04X}; "
                    f"remove it ({neutralize(value)!r})",
                )
            )
            continue
        lines.append(FeedLine(number, value, comment or None))
    return lines, problems


def field_of(value: str) -> str:
    """The item field a plain ``value`` fills, from its shape: ``ip``, ``asn`` or ``hostname``."""
    if _ASN_SHAPE.fullmatch(value):
        return "asn"
    if ":" in value or _IPV4_SHAPE.fullmatch(value):
        return "ip"
    return "hostname"


def _json_items(text: str, parameter: str, source: str) -> List[Any]:
    try:
        document = json.loads(text)
    except RecursionError:  # json recurses once per level: a bound, not a crash
        raise ValidationError(
            parameter, f"{source} is JSON nested too deeply to read; give a JSON array of items."
        ) from None
    except ValueError as exc:
        raise ValidationError(parameter, f"{source} starts with '[' but is not a JSON array: {exc}.") from None
    if not isinstance(document, list):
        raise ValidationError(parameter, f"{source} is not a JSON array of items.")
    return document


def parse_feed(
    text: str,
    *,
    kind: Optional[str] = None,
    comments: bool = False,
    parameter: str = "feed",
    source: str = "the feed",
    check_items: bool = False,
) -> Feed:
    """The items of a feed: a JSON array of items, or one item a line (see the module's docstring).

    With ``comments``, an item's trailing comment becomes its ``comment``: the item is then an object whose field is
    ``kind``, or, when no kind is given, the field the value's shape says (an IP address or range, an ASN, else a
    hostname). ``parameter`` and ``source`` name the feed in messages.

    With ``check_items`` and a ``kind``, every item is also checked against the kind (``items.parse_items``): in a
    feed of lines, a bad item is reported as a bad line, by its number, with the lines that are bad in themselves;
    in a JSON array, as ``items[i]``.
    """
    if text.startswith(BOM):
        text = text[1:]
    start = text.lstrip()[:1]
    if start == "[":
        document = _json_items(text, parameter, source)
        if check_items and kind is not None:
            parse_items(kind, document)
        return Feed(document, None)
    if start == "{":
        raise ValidationError(
            parameter,
            f"{source} is a JSON object; give a JSON array of items "
            '(such as ["192.0.2.0/24", {"ip": "198.51.100.7", "comment": "why"}]), or one item a line. '
            "From a cloud IP-ranges file, take the prefixes out first, "
            "for example with jq '[.prefixes[].ip_prefix]'.",
        )
    if kind == "redirect":
        raise ValidationError(
            parameter,
            f"{source} holds lines, and redirect items have several fields: give them as a JSON array of objects.",
        )
    lines, problems = _read_lines(text)
    items: List[Any] = []
    for line in lines:
        if comments and line.comment:
            item: Dict[str, Any] = {kind or field_of(line.value): line.value, "comment": line.comment}
            items.append(item)
        else:
            items.append(line.value)
    numbers = [line.number for line in lines]
    if check_items and kind is not None:
        problems += _bad_items(kind, items, numbers)
    if problems:
        raise _bad_lines(parameter, source, [problem for _number, problem in sorted(problems)])
    return Feed(items, numbers)


def _bad_items(kind: str, items: List[Any], numbers: List[int]) -> List[Tuple[int, str]]:
    """Each item of the lines ``numbers`` that is not a valid ``kind`` item, as its line number and problem."""
    try:
        parse_items(kind, items)
    except ItemsValidationError as exc:
        names = line_names(numbers)
        number_of = dict(zip(names, numbers))
        return [
            (number_of[parameter], f"{names[parameter]}: {renamed(problem, names).rstrip('.')}")
            for parameter, problem in exc.problems
        ]
    return []
