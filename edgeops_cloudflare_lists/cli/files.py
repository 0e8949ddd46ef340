"""Reading ``--file`` and ``--from``: bounded, one value per line with '#' comments, or a JSON array of items."""

from __future__ import annotations

import argparse
import json
from typing import Any, List, TextIO, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError

MAX_ITEMS_FILE_BYTES = 64 * 1024 * 1024


def read_text(path: str, flag: str, stdin: TextIO) -> str:
    """The text of ``path`` ('-': ``stdin``), at most ``MAX_ITEMS_FILE_BYTES``, for ``flag``."""
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_ITEMS_FILE_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(flag, f"could not read {path!r}: {exc}.") from None
    if len(text) > MAX_ITEMS_FILE_BYTES:
        raise ValidationError(flag, f"{path!r} is larger than {MAX_ITEMS_FILE_BYTES} bytes.")
    return text


def numbered_lines(text: str) -> List[Tuple[int, str]]:
    """(line number, value) of each line that holds something once its '#' comment is dropped."""
    values = [(number, line.split("#", 1)[0].strip()) for number, line in enumerate(text.splitlines(), start=1)]
    return [(number, value) for number, value in values if value]


def read_items_file(args: argparse.Namespace, *, stdin: TextIO) -> List[Any]:
    """The items of ``--file``: a JSON array, or one plain value per line with '#' comments and blank lines.

    For a file of lines, ``args.item_lines`` keeps each item's line number, for messages.
    """
    path: str = args.file
    text = read_text(path, "--file", stdin)
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise ValidationError("--file", f"{path!r} starts with '[' but is not a JSON array: {exc}.") from None
        if not isinstance(items, list):
            raise ValidationError("--file", f"{path!r} is not a JSON array.")
        return items
    if args.kind == "redirect":
        raise ValidationError("--file", "redirect items have several fields: give them as a JSON array of objects.")
    lines = numbered_lines(text)
    args.item_lines = [number for number, _value in lines]
    return [value for _number, value in lines]
