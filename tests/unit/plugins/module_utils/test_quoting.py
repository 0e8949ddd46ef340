"""quoting: a secret is scrubbed from server text in every spelling an echo could give it.

Hostile behaviour covered: a server (or proxy, or WAF page) that echoes the request's credential back, as is,
JSON-escaped (``\\/``, ``\\u00XX``, ``\\"``), repr-escaped, or percent-encoded.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import REDACTED, scrub, secrets_pattern

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
