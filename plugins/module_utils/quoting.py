# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Making text safe to show: no credential in it, in any spelling, and nothing a terminal obeys.

A server (or a proxy, or a WAF page) that echoes the request quotes our credential back, often changed on the
way: JSON encoders write ``/`` as ``\\/`` and may write any character as ``\\u00XX``, ``repr`` doubles
backslashes, a URL percent-encodes, a page upper- or lower-cases it, a message cuts it short. ``scrub`` replaces
every such spelling of a secret with ``***``: the whole secret, or any run of ``PART_CHARS`` or more of its
characters (a truncated echo), in any case.

The secrets to scrub are the ones given, plus every credential this process has resolved (``remember_secrets``,
called by ``Credentials``): so every error message (``errors.CloudflareListsError`` scrubs its own) and every
adapter's output is scrubbed where it is made, without each call site having to pass the secrets along.

Server text also reaches terminals and logs: ``neutralize`` writes control characters (escape sequences, CR,
LF), bidirectional overrides and invisible characters as visible escapes (``\\x1b``, ``\\u202e``), so a quote
cannot recolour a terminal, forge a log line or show text in another order than it has. ``sanitize`` does both.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from typing import Any, Iterable, List, Match, Optional, Pattern, Sequence, Tuple

REDACTED = "***"
#: The shortest run of a secret's characters that is scrubbed on its own: a truncated echo still names the secret.
#: A secret this long or shorter is scrubbed whole only.
PART_CHARS = 12
#: Runs found by the quick search are this long; every run of PART_CHARS contains one starting at a multiple of
#: ``PART_CHARS - ANCHOR_CHARS + 1``.
ANCHOR_CHARS = 8
#: Secrets remembered by this process (the newest); a process normally resolves one or two credentials.
MAX_REMEMBERED = 64

# How a JSON encoder, repr() or a URL may write each character, besides as itself.
_SPECIAL_ESCAPES = {"/": [r"\\/"], '"': [r"\\\""], "\\": [r"\\\\"], "'": [r"\\'"]}
# The escapes above, decoded for the quick search.
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})|%([0-9a-f]{2})|\\([/\"'\\])")
_BACKSLASHES = re.compile(r"\\{2,}")

_remembered: OrderedDict[str, None] = OrderedDict()
_remembered_guard = threading.Lock()


def remember_secrets(secrets: Iterable[Optional[str]]) -> None:
    """Scrub these from everything this process shows from now on (a credential, once resolved)."""
    with _remembered_guard:
        for secret in secrets:
            if secret:
                _remembered[secret] = None
                _remembered.move_to_end(secret)
        while len(_remembered) > MAX_REMEMBERED:
            _remembered.popitem(last=False)


def remembered_secrets() -> Tuple[str, ...]:
    with _remembered_guard:
        return tuple(_remembered)


def _spellings(char: str) -> str:
    alternatives = [re.escape(char)]
    for variant in sorted({char.lower(), char.upper()}):
        alternatives += [r"\\u" + _hex(ord(variant), 4), "%" + _hex(ord(variant), 2)]
    alternatives += _SPECIAL_ESCAPES.get(char, [])
    return "(?:" + "|".join(alternatives) + ")"


def _hex(code: int, width: int) -> str:
    """``code`` in hexadecimal, either case: ``[0][0][2][fF]``."""
    digits = format(code, f"0{width}x")
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _spelled(text: str) -> str:
    return "".join(_spellings(char) for char in text)


def _optional_tail(tail: str) -> str:
    """Each further character of ``tail`` in turn, as far as the text goes on with it."""
    pattern = ""
    for char in reversed(tail):
        pattern = "(?:" + _spellings(char) + pattern + ")?"
    return pattern


@functools.lru_cache(maxsize=MAX_REMEMBERED * 2)
def _secret_pattern(secret: str) -> Pattern[str]:
    """The pattern of ``secret``: whole, or any run of PART_CHARS of it. Slow to build (tens of milliseconds for a
    token): built only once the quick search has found a trace, so clean output never pays for it."""
    if len(secret) <= PART_CHARS:
        return re.compile(_spelled(secret), re.IGNORECASE)
    starts = range(len(secret) - PART_CHARS + 1)
    pattern = "|".join(_spelled(secret[i : i + PART_CHARS]) + _optional_tail(secret[i + PART_CHARS :]) for i in starts)
    return re.compile(pattern, re.IGNORECASE)


@functools.lru_cache(maxsize=MAX_REMEMBERED * 2)
def _anchors(secret: str) -> Tuple[str, ...]:
    """The lower-case anchors of ``secret``'s runs, for the quick search."""
    lowered = secret.lower()
    if len(secret) <= PART_CHARS:
        return (lowered,)
    step = PART_CHARS - ANCHOR_CHARS + 1
    return tuple(sorted({lowered[i : i + ANCHOR_CHARS] for i in range(0, len(secret) - ANCHOR_CHARS + 1, step)}))


def _decoded(lowered: str) -> str:
    """``lowered`` with escapes decoded (and backslash runs collapsed first, as repr doubles them): where an
    escaped spelling of a secret shows its anchors."""
    return _ESCAPE.sub(_decode_escape, _BACKSLASHES.sub(r"\\", lowered))


def _decode_escape(match: Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)).lower() if code is not None else match.group(3)


def secrets_pattern(secrets: Iterable[str]) -> Optional[Pattern[str]]:
    """One regular expression matching any of ``secrets`` in any spelling; None when there are none."""
    found = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not found:
        return None
    return re.compile("|".join(_secret_pattern(secret).pattern for secret in found), re.IGNORECASE)


def _secrets(given: Sequence[str]) -> List[str]:
    return sorted({secret for secret in (*given, *remembered_secrets()) if secret}, key=len, reverse=True)


def _traces(text: str, secrets: Sequence[str]) -> List[str]:
    """The secrets of which a quick search finds a trace in ``text``: an anchor, as is or once escapes are decoded.

    The full pattern is slow on long text (about 1 MB/s): it runs only where this finds something.
    """
    lowered = text.lower()
    decoded: Optional[str] = None
    found = []
    for secret in secrets:
        anchors = _anchors(secret)
        if any(anchor in lowered for anchor in anchors):
            found.append(secret)
            continue
        if decoded is None:
            decoded = _decoded(lowered) if ("\\" in lowered or "%" in lowered) else ""
        if decoded and any(anchor in decoded for anchor in anchors):
            found.append(secret)
    return found


def _scrub(text: str, secrets: Sequence[str]) -> str:
    """Every span that spells a secret, or a run of one, merged with those it overlaps or touches, as one ``***``."""
    spans = sorted(
        match.span()
        for secret in (_traces(text, secrets) if text else ())
        for match in _secret_pattern(secret).finditer(text)
    )
    if not spans:
        return text
    merged: List[List[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts = []
    done = 0
    for start, end in merged:
        parts += [text[done:start], REDACTED]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every spelling of every secret (given, or remembered) replaced by ``***``."""
    return _scrub(text, _secrets(secrets))


def scrub_data(value: Any, secrets: Sequence[str] = ()) -> Any:
    """``value`` (JSON-like data: a task result, outputs) with every string scrubbed, keys included."""
    every = _secrets(secrets)
    strings: List[str] = []
    _collect_strings(value, strings)
    traced = _traces("\0".join(strings), every) if every else []
    return _scrub_strings(value, traced) if traced else value


def _collect_strings(value: Any, into: List[str]) -> None:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            into.append(current)
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)


def _scrub_strings(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return _scrub(value, secrets)
    if isinstance(value, dict):
        return {_scrub_strings(key, secrets): _scrub_strings(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(item, secrets) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrub_strings(item, secrets) for item in value)
    return value


# C0 and C1 controls and DEL; bidirectional marks, embeddings, overrides and isolates; line and paragraph
# separators; zero-width characters and the BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _escape(match: Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str) -> str:
    """``text`` with control, bidirectional and invisible characters written as escapes."""
    return _UNSAFE.sub(_escape, text)


def sanitize(text: str, secrets: Sequence[str] = ()) -> str:
    """Text to quote in a message or a result: scrubbed, then neutralized."""
    return neutralize(scrub(text, secrets))


def sanitize_lines(text: str, secrets: Sequence[str] = ()) -> str:
    """Several lines (a plan in words): each line scrubbed and neutralized, the line breaks kept."""
    lines: List[str] = scrub(text, secrets).split("\n")
    return "\n".join(neutralize(line) for line in lines)
