# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Making text from a server safe to quote: no credential in it, in any spelling, and nothing a terminal obeys.

A server (or a proxy, or a WAF page) that echoes the request quotes our credential back, often escaped on the
way: JSON encoders write ``/`` as ``\\/`` and may write any character as ``\\u00XX``, ``repr`` doubles
backslashes, a URL percent-encodes. ``scrub`` replaces every such spelling of a secret with ``***``.

Server text also reaches terminals and logs: ``neutralize`` writes control characters (escape sequences, CR,
LF), bidirectional overrides and invisible characters as visible escapes (``\\x1b``, ``\\u202e``), so a quote
cannot recolour a terminal, forge a log line or show text in another order than it has. ``sanitize`` does both.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Match, Optional, Pattern, Sequence, Tuple

REDACTED = "***"

# How a JSON encoder, repr() or a URL may write each character, besides as itself.
_SPECIAL_ESCAPES = {"/": [r"\\/"], '"': [r"\\\""], "\\": [r"\\\\"], "'": [r"\\'"]}


def _spellings(char: str) -> str:
    code = ord(char)
    alternatives = [re.escape(char), r"\\u" + _hex(code, 4), "%" + _hex(code, 2)]
    alternatives += _SPECIAL_ESCAPES.get(char, [])
    return "(?:" + "|".join(alternatives) + ")"


def _hex(code: int, width: int) -> str:
    """``code`` in hexadecimal, either case: ``[0][0][2][fF]``."""
    digits = format(code, f"0{width}x")
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def secrets_pattern(secrets: Iterable[str]) -> Optional[Pattern[str]]:
    """One regular expression matching any of ``secrets`` in any spelling; None when there are none."""
    return _compile(tuple(sorted({secret for secret in secrets if secret}, key=len, reverse=True)))


@functools.lru_cache(maxsize=16)
def _compile(secrets: Tuple[str, ...]) -> Optional[Pattern[str]]:
    if not secrets:
        return None
    return re.compile("|".join("".join(_spellings(char) for char in secret) for secret in secrets))


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every spelling of every secret replaced by ``***``."""
    pattern = secrets_pattern(secrets)
    return pattern.sub(REDACTED, text) if pattern is not None else text


# C0 and C1 controls and DEL; bidirectional marks, embeddings, overrides and isolates; line and paragraph
# separators; zero-width characters and the BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _escape(match: Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str) -> str:
    """``text`` with control, bidirectional and invisible characters written as escapes."""
    return _UNSAFE.sub(_escape, text)


def sanitize(text: str, secrets: Sequence[str]) -> str:
    """Server text, ready for a message or a result: scrubbed, then neutralized."""
    return neutralize(scrub(text, secrets))
