"""quoting: server text is scrubbed of secrets in every spelling, and neutralized for terminals.

Hostile behaviours covered: a server (or proxy, or WAF page) that echoes the request's credential back, as is,
JSON-escaped (``\\/``, ``\\u00XX``, ``\\"``), repr-escaped, or percent-encoded, upper- or lower-cased, or cut
short; and server text carrying escape sequences, forged line breaks, bidi overrides or invisible characters.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import (
    PART_CHARS,
    REDACTED,
    neutralize,
    remember_secrets,
    sanitize,
    sanitize_lines,
    scrub,
    scrub_data,
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


def test_text_that_shares_only_a_short_run_with_a_secret_is_left_alone():
    assert scrub("tok/en+with and slashes==", [SLASHED]) == "tok/en+with and slashes=="  # 11 and 10 in a row
    assert scrub("mulator-k3y", ["emulator-k3y"]) == "mulator-k3y"  # a short secret is scrubbed whole only


LONG = "hx-SECRET-token-1234567890abcdefABCDEF"


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(LONG.upper(), id="upper-cased"),
        pytest.param(LONG.lower(), id="lower-cased"),
        pytest.param(LONG[:PART_CHARS], id="cut-to-a-prefix"),
        pytest.param(LONG[:20] + "...", id="server-truncated"),
        pytest.param(LONG[-PART_CHARS:], id="only-its-end"),
        pytest.param(LONG[7:30], id="a-run-from-its-middle"),
        pytest.param(json.dumps(LONG[:25].upper())[1:-1].replace("-", "\\u002D"), id="cut-upper-cased-and-escaped"),
        pytest.param(quote(LONG.lower()[:18], safe=""), id="cut-lower-cased-percent-encoded"),
    ],
)
def test_a_secret_in_any_case_or_cut_short_is_scrubbed(spelling):
    scrubbed = scrub(f"bad token {spelling} (end)", [LONG])
    assert scrubbed.startswith(f"bad token {REDACTED}")
    assert scrubbed.endswith(" (end)")
    for run in range(len(LONG) - PART_CHARS + 1):
        assert LONG[run : run + PART_CHARS].lower() not in scrubbed.lower()


def test_a_remembered_secret_is_scrubbed_without_being_given():
    remember_secrets(["remembered-secret-0b1c2d3e4f"])
    assert scrub("echo remembered-secret-0b1c2d3e4f") == f"echo {REDACTED}"
    assert "0b1c2d3e4f" not in sanitize("REMEMBERED-SECRET-0B1C2D3E4F\n")


def test_overlapping_echoes_of_two_secrets_are_one_redaction():
    first, second = "shared-prefix-0123456789-one", "shared-prefix-0123456789-two"
    assert scrub(f"[{first}] [{second}]", [first, second]) == f"[{REDACTED}] [{REDACTED}]"


def test_data_is_scrubbed_in_every_string_and_left_as_is_without_a_trace():
    data = {"items": [{"comment": "x " + LONG.lower()}, ("tuple", LONG[3:20])], LONG: 1, "n": 2}
    scrubbed = scrub_data(data, [LONG])
    assert scrubbed == {"items": [{"comment": f"x {REDACTED}"}, ("tuple", REDACTED)], REDACTED: 1, "n": 2}
    clean = {"items": [{"ip": "10.0.0.1"}]}
    assert scrub_data(clean, [LONG]) is clean


def test_scrubbing_a_long_text_without_a_secret_is_quick_and_changes_nothing():
    text = json.dumps([{"ip": f"10.0.{i // 256}.{i % 256}", "comment": f"\u00e9 {i}"} for i in range(50000)])
    assert scrub(text, [LONG]) == text


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


def test_sanitize_lines_keeps_line_breaks_and_neutralizes_each_line():
    text = "list: add 1\n  + 10.0.0.1  (\x1b]0;title\x07 \u202eevil)\n"
    assert sanitize_lines(text) == "list: add 1\n  + 10.0.0.1  (\\x1b]0;title\\x07 \\u202eevil)\n"
