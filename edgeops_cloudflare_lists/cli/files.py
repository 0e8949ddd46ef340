"""Reading ``--file`` and ``--from``: bounded while read, then parsed by the core's feed reader."""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from typing import Any, Callable, Dict, List, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.feeds import (
    COMMENT_MARKERS,
    feed_lines,
    parse_feed,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import SavedPlan

MAX_FEED_BYTES = 64 * 1024 * 1024


def _source(path: str) -> str:
    return "stdin" if path == "-" else repr(path)


def read_text(path: str, flag: str, stdin: TextIO) -> str:
    """The text of ``path`` ('-': ``stdin``) for ``flag``: UTF-8, at most ``MAX_FEED_BYTES``, never more read."""
    try:
        if path == "-":
            binary = getattr(stdin, "buffer", None)
            data: Any = binary.read(MAX_FEED_BYTES + 1) if binary is not None else stdin.read(MAX_FEED_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        raise ValidationError(flag, f"could not read {_source(path)}: {exc.strerror or exc}.") from None
    if len(data) > MAX_FEED_BYTES:
        raise ValidationError(flag, f"{_source(path)} is larger than {MAX_FEED_BYTES} bytes.")
    if isinstance(data, str):
        return data
    try:
        return str(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            flag, f"{_source(path)} is not UTF-8 text: line {line} holds the byte 0x{data[exc.start]:02x}."
        ) from None


def read_values(
    path: str,
    flag: str,
    stdin: TextIO,
    most: Optional[int] = None,
    too_many: Optional[Callable[[str], Exception]] = None,
) -> List[str]:
    """The values of a file of lines (``--from``), comments and blank lines dropped. With ``most``, a file of more
    values is refused (``too_many("more than <most>")``) before any line is parsed: a huge input costs neither the
    time nor the memory of parsing it all."""
    text = read_text(path, flag, stdin)
    if most is not None and too_many is not None:
        _refuse_past(text, most, too_many)
    return [line.value for line in feed_lines(text, parameter=flag, source=_source(path))]


_COMMENT = re.compile(f"[{re.escape(COMMENT_MARKERS)}]")


def _refuse_past(text: str, most: int, too_many: Callable[[str], Exception]) -> None:
    count = 0
    start = 0
    while start < len(text):  # a line at a time, never a copy of them all
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if _COMMENT.split(text[start:end], 1)[0].strip():
            count += 1
            if count > most:
                raise too_many(f"more than {most}")
        start = end + 1


def read_items_file(args: argparse.Namespace, *, stdin: TextIO) -> List[Any]:
    """The items of ``--file`` (see the core's ``feeds``); for a file of lines, ``args.item_lines`` keeps each
    item's line number, for messages."""
    path: str = args.file
    feed = parse_feed(
        read_text(path, "--file", stdin),
        kind=args.kind,
        comments=args.comments_from_file,
        parameter="--file",
        source=_source(path),
    )
    args.item_lines = feed.lines
    return feed.items


def read_saved_plan(path: str, stdin: TextIO) -> SavedPlan:
    """The plan in ``path`` ('-': stdin), as ``sync --plan-out`` wrote it."""
    text = read_text(path, "PLANFILE", stdin)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError(
            "PLANFILE", f"{_source(path)} is not JSON; give a file that 'sync --plan-out' wrote."
        ) from None
    return SavedPlan.from_dict(document, parameter="PLANFILE", source=_source(path))


def write_json_file(path: str, document: Dict[str, Any], flag: str) -> None:
    """``document`` in ``path``, whole or not at all: written beside it, then renamed over it."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".plan-", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise ValidationError(flag, f"could not write {path!r}: {exc.strerror or exc}.") from None
