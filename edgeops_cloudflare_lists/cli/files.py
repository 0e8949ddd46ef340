"""Reading ``--file`` and ``--from``: bounded while read, then parsed by the core's feed reader."""

from __future__ import annotations

import argparse
from typing import Any, Callable, List, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.feeds import feed_lines, parse_feed

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


# A line of --from is an id or two and maybe a comment: a longer one is not such a line.
MAX_LINE_CHARS = 64 * 1024


def read_values(path: str, flag: str, stdin: TextIO, most: int, too_many: Callable[[str], Exception]) -> List[str]:
    """The values of a file of lines (``--from``, '-': ``stdin``), by the feed reader's rules (comments, BOM, CRLF).

    Read a line at a time: more than ``most`` lines that hold a value raise ``too_many("more than <most>")`` as soon
    as the read finds one more, so a huge input costs neither the time nor the memory of reading it all.
    """
    lines: List[str] = []
    held = 0
    try:
        handle = stdin if path == "-" else open(path, encoding="utf-8", newline="")
        try:
            while True:
                line = handle.readline(MAX_LINE_CHARS + 1)
                if not line:
                    break
                if len(line) > MAX_LINE_CHARS:
                    raise ValidationError(
                        flag, f"line {len(lines) + 1} of {_source(path)} is longer than {MAX_LINE_CHARS} characters."
                    )
                start = line.lstrip(" \t\r\n\ufeff")[:1]
                if start and start not in "#;":
                    held += 1
                    if held > most:
                        raise too_many(f"more than {most}")
                lines.append(line)
        finally:
            if handle is not stdin:
                handle.close()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(flag, f"could not read {_source(path)}: {exc}.") from None
    return [found.value for found in feed_lines("".join(lines), parameter=flag, source=_source(path))]


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
