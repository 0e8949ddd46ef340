"""quoting: server text is scrubbed of secrets in every spelling, and neutralized for terminals.

Hostile behaviours covered: a server (or proxy, or WAF page) that echoes the request's credential back, as is,
JSON-escaped (``\\/``, ``\\u00XX``, ``\\"``), repr-escaped, or percent-encoded; and server text carrying escape
sequences, forged line breaks, bidi overrides or invisible characters.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import (
    REDACTED,
    neutralize,
    sanitize,
    scrub,
    secrets_pattern,
)

SLASHED = "tok/en+with/slashes=="
TRICKY = "a\"b\\c'd/e"


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(SLASHED, id="as-is"),
        pytest.param(SLASHED.replace("/", "\\/"), id="json-escaped-slash"),
        pytest.param("".join(f"\\u{ord(c):04x}" for c in SLASHED), id="json-unicode-escapes"),
        pytest.param("".join(f"\\u{ord(c):04X}" for c in SLASHED), id="json-unicode-escapes-upper"),
        pytest.param(quote(SLASHED, safe=""), id="percent-encoded"),
        pytest.param("tok\\/en+with/slashes\\u003d=", id="mixed"),
    ],
)
def test_every_spelling_of_a_secret_is_scrubbed(spelling):
    assert scrub(f"echo: Bearer {spelling} end", [SLASHED]) == f"echo: Bearer {REDACTED} end"


@pytest.mark.parametrize(
    "spelling",
    [TRICKY, json.dumps(TRICKY)[1:-1], repr(TRICKY)[1:-1], json.dumps(TRICKY)[1:-1].replace("/", "\\/")],
    ids=["as-is", "json", "repr", "json-slash"],
)
def test_escaped_quotes_and_backslashes_are_scrubbed(spelling):
    assert TRICKY[2:] not in scrub(f"[{spelling}]", [TRICKY])
    assert scrub(f"[{spelling}]", [TRICKY]) == f"[{REDACTED}]"


def test_every_secret_is_scrubbed_and_empty_ones_are_ignored():
    assert scrub("a ONE b TWO c ONE", ["ONE", "", "TWO"]) == f"a {REDACTED} b {REDACTED} c {REDACTED}"
    assert scrub("unchanged", []) == "unchanged"
    assert secrets_pattern(["", ""]) is None


def test_a_longer_secret_is_scrubbed_whole_when_a_shorter_one_is_inside_it():
    assert scrub("key-123-long", ["key-123", "key-123-long"]) == REDACTED


def test_text_that_only_resembles_a_secret_is_left_alone():
    assert scrub("tok/en+with/slashes=", [SLASHED]) == "tok/en+with/slashes="
    assert scrub("TOK/EN+WITH/SLASHES==", [SLASHED]) == "TOK/EN+WITH/SLASHES=="


# --- neutralize: nothing from a server reaches a terminal as a control ------------------------------------------
# Hostile text covered: ANSI escape sequences, CR/LF (forged lines), bidi overrides and isolates, zero-width
# characters, C1 controls.


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("line\r\nforged: ok", "line\\x0d\\x0aforged: ok"),
        ("abc\u202edcba\u202c", "abc\\u202edcba\\u202c"),
        ("\u2066isolate\u2069 \u200f\u061c", "\\u2066isolate\\u2069 \\u200f\\u061c"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("c1\x9b31m del\x7f nul\x00", "c1\\x9b31m del\\x7f nul\\x00"),
        ("plain text, accents é and 日本語 stay", "plain text, accents é and 日本語 stay"),
    ],
)
def test_control_bidi_and_invisible_characters_are_shown_as_escapes(text, shown):
    assert neutralize(text) == shown


def test_sanitize_scrubs_then_neutralizes():
    assert sanitize("\x1b]0;Bearer SECRET\x07", ["SECRET"]) == "\\x1b]0;Bearer ***\\x07"
