"""Fuzz the parser: whatever comes back, the answer is facts in the documented shape or one of our errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import (
    parse_bulk_operation,
    parse_envelope,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import (
    KNOWN_STATUSES,
    BulkOperationFacts,
    normalize_timestamp,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID, TOKEN, WHAT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIGHT = settings(FUZZ, max_examples=150)
MESSAGE_LIMIT = 1200

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@st.composite
def rfc3339(draw):
    """A valid RFC 3339 date-time in any of the spellings the RFC allows."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    text = "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}".format(
        moment.year, moment.month, moment.day, draw(st.sampled_from("Tt ")), moment.hour, moment.minute, moment.second
    )
    digits = draw(st.integers(0, 9))
    if digits:
        text += "." + draw(st.text("0123456789", min_size=digits, max_size=digits))
    offset = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59) | st.none())
    if offset is None:
        text += draw(st.sampled_from("Zz"))
    else:
        sign = "-" if offset < 0 else "+"
        text += f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return text


def maybe(strategy):
    """A key that may be missing (the sentinel), or any value the strategy draws."""
    return st.just(KeyError) | strategy


results = st.fixed_dictionaries(
    {
        "id": maybe(st.just(OPERATION_ID) | st.text(max_size=40) | json_values),
        "status": maybe(st.sampled_from(["pending", "running", "completed", "failed", "cancelled", ""]) | json_values),
        "completed": maybe(rfc3339() | st.text(max_size=40) | json_values),
        "error": maybe(st.text() | st.just(TOKEN) | json_values),
    }
).map(lambda result: {key: value for key, value in result.items() if value is not KeyError})


@st.composite
def envelopes(draw):
    document = {
        "success": draw(maybe(st.booleans() | json_values)),
        "errors": draw(
            maybe(
                st.lists(
                    st.fixed_dictionaries(
                        {"code": json_values, "message": st.text() | st.just(f"bad token {TOKEN}") | json_values}
                    )
                    | json_values,
                    max_size=7,
                )
                | json_values
            )
        ),
        "messages": [],
        "result": draw(maybe(results | json_values)),
    }
    document = {key: value for key, value in document.items() if value is not KeyError}
    return json.dumps(document, allow_nan=True).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    envelopes(),
    envelopes().map(lambda body: body[: len(body) // 2]),
)
headers = st.dictionaries(
    st.sampled_from(["Location", "Retry-After", "retry-after", "Content-Type"]),
    st.text(max_size=30) | st.just(f"https://evil.example/?t={TOKEN}") | st.integers(-5, 10**6).map(str),
    max_size=3,
)


@FUZZ
@given(status=st.integers(100, 599), response_headers=headers, body=bodies)
def test_any_answer_is_documented_facts_or_one_of_our_errors(status, response_headers, body):
    try:
        result = parse_envelope(status, response_headers, body, what=WHAT, secrets=[TOKEN])
        facts = parse_bulk_operation(result, OPERATION_ID, what=WHAT, secrets=[TOKEN])
    except CloudflareListsError as exc:
        message = str(exc)
        assert "\n" not in message
        assert len(message) <= MESSAGE_LIMIT
        assert TOKEN not in message
        assert TOKEN not in repr(exc.details())
        return
    assert 200 <= status < 300
    assert isinstance(facts, BulkOperationFacts)
    assert facts.id == OPERATION_ID
    assert facts.status in KNOWN_STATUSES
    assert facts.completed_at is None or (isinstance(facts.completed_at, str) and facts.completed_at.endswith("Z"))
    assert facts.error is None or isinstance(facts.error, str)
    if not facts.finished:
        assert facts.completed_at is None and facts.error is None


@LIGHT
@given(result=results)
def test_any_result_is_documented_facts_or_one_of_our_errors(result):
    try:
        facts = parse_bulk_operation(result, OPERATION_ID, what=WHAT)
    except CloudflareListsError:
        return
    assert facts.status in KNOWN_STATUSES
    assert facts.completed_at is None or facts.completed_at.endswith("Z")


@LIGHT
@given(text=rfc3339())
def test_every_valid_timestamp_normalizes_to_the_same_instant_in_utc(text):
    normalized = normalize_timestamp(text)
    if normalized is None:
        # Only a moment that UTC cannot represent (before year 1 or after 9999) may be refused.
        year = int(text[:4])
        assert year in (1, 9999)
        return
    assert normalized.endswith("Z")
    assert normalize_timestamp(normalized) == normalized
    original = datetime.fromisoformat(_iso(text))
    parsed = datetime.fromisoformat(normalized[:-1] + "+00:00")
    assert abs(parsed - original) < timedelta(microseconds=1)
    assert parsed.tzinfo == timezone.utc


def _iso(text):
    """RFC 3339 to what datetime.fromisoformat reads: upper-case T, +00:00 for Z, at most 6 fraction digits."""
    text = text[:10] + "T" + text[11:]
    text = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    if "." in text:
        head, rest = text.split(".", 1)
        digits = rest[: len(rest) - 6]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    return text


@LIGHT
@given(text=st.text(max_size=40))
def test_normalize_timestamp_never_raises(text):
    normalized = normalize_timestamp(text)
    assert normalized is None or normalized.endswith("Z")
