"""retry_after: Retry-After as delay-seconds or an HTTP-date, bounded, never a crash and never infinite.

Hostile values covered: an HTTP-date far ahead or in the past, 5,000 digits, ``inf``, ``nan``, negative, exponent
notation, other scripts' digits, over-long garbage.
"""

from __future__ import annotations

import email.utils
import math

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import (
    MAX_RETRY_AFTER,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("30", 30.0),
        (" 30 ", 30.0),
        ("2.5", 2.5),
        ("000000000000000000007", 7.0),
        ("86401", MAX_RETRY_AFTER),
        ("9" * 5000, MAX_RETRY_AFTER),
        ("1" + "0" * 12, MAX_RETRY_AFTER),
    ],
)
def test_delay_seconds_are_read_and_bounded(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(("offset", "seconds"), [(120, 120.0), (0, 0.0), (-3600, 0.0), (10 * 86400, MAX_RETRY_AFTER)])
def test_an_http_date_is_seconds_from_now(offset, seconds):
    value = email.utils.formatdate(NOW + offset, usegmt=True)
    assert parse_retry_after(value, NOW) == seconds


def test_the_obsolete_date_formats_are_read_too():
    # NOW is Tue, 14 Nov 2023 22:13:20 GMT.
    assert parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", NOW) == 120.0
    assert parse_retry_after("Tuesday, 14-Nov-23 22:15:20 GMT", NOW) == 120.0
    assert parse_retry_after("Tue Nov 14 22:15:20 2023", NOW) == 120.0


@pytest.mark.parametrize(
    "value",
    ["", "inf", "-inf", "Infinity", "nan", "-5", "1e3", "0x10", "soon", "٣٠", "3O", "1" * 20 + "x", "x" * 5000],
)
def test_anything_else_is_not_a_retry_after(value):
    assert parse_retry_after(value, NOW) is None


def test_every_answer_is_finite():
    for value in ("9" * 5000, email.utils.formatdate(NOW + 1e9, usegmt=True), "Fri, 31 Dec 9999 23:59:59 GMT"):
        seconds = parse_retry_after(value, NOW)
        assert seconds is not None and math.isfinite(seconds)
