"""facts: the normalized shape, and RFC 3339 timestamps normalized to UTC."""

from __future__ import annotations

import dataclasses

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import (
    COMPLETED,
    FAILED,
    FINISHED_STATUSES,
    KNOWN_STATUSES,
    PENDING,
    RUNNING,
    UNFINISHED_STATUSES,
    BulkOperationFacts,
    normalize_timestamp,
)


def test_status_sets_partition_the_four_documented_statuses():
    assert KNOWN_STATUSES == {"pending", "running", "completed", "failed"}
    assert UNFINISHED_STATUSES == {PENDING, RUNNING}
    assert FINISHED_STATUSES == {COMPLETED, FAILED}
    assert not UNFINISHED_STATUSES & FINISHED_STATUSES


@pytest.mark.parametrize(
    ("status", "finished", "succeeded"),
    [("pending", False, False), ("running", False, False), ("completed", True, True), ("failed", True, False)],
)
def test_finished_and_succeeded_follow_the_status(status, finished, succeeded):
    facts = BulkOperationFacts(id="op", status=status)
    assert facts.finished is finished
    assert facts.succeeded is succeeded


def test_to_dict_has_exactly_the_six_documented_keys():
    facts = BulkOperationFacts(id="op", status="failed", completed_at="2024-01-01T00:00:00Z", error="boom")
    assert facts.to_dict() == {
        "id": "op",
        "status": "failed",
        "finished": True,
        "succeeded": False,
        "completed_at": "2024-01-01T00:00:00Z",
        "error": "boom",
    }


def test_from_dict_round_trips_to_dict():
    facts = BulkOperationFacts(id="op", status="completed", completed_at="2024-01-01T00:00:00Z")
    assert BulkOperationFacts.from_dict(facts.to_dict()) == facts


def test_from_dict_recomputes_derived_keys_instead_of_trusting_them():
    facts = BulkOperationFacts.from_dict({"id": "op", "status": "pending", "finished": True, "succeeded": True})
    assert facts == BulkOperationFacts(id="op", status="pending")
    assert facts.finished is False
    assert facts.succeeded is False


def test_facts_are_immutable():
    facts = BulkOperationFacts(id="op", status="pending")
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.status = "completed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T12:34:56Z", "2024-05-01T12:34:56Z"),
        ("2024-05-01t12:34:56z", "2024-05-01T12:34:56Z"),
        ("2024-05-01 12:34:56Z", "2024-05-01T12:34:56Z"),
        ("2024-05-01T12:34:56+02:00", "2024-05-01T10:34:56Z"),
        ("2024-05-01T12:34:56-05:30", "2024-05-01T18:04:56Z"),
        ("2024-05-01T00:30:00+01:00", "2024-04-30T23:30:00Z"),
        ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"),
        ("2024-05-01T12:34:56+00:00", "2024-05-01T12:34:56Z"),
        ("2024-05-01T12:34:56-00:00", "2024-05-01T12:34:56Z"),
        ("2024-05-01T12:34:56.5Z", "2024-05-01T12:34:56.5Z"),
        ("2024-05-01T12:34:56.123456Z", "2024-05-01T12:34:56.123456Z"),
        ("2024-05-01T12:34:56.120000Z", "2024-05-01T12:34:56.12Z"),
        ("2024-05-01T12:34:56.1234567891Z", "2024-05-01T12:34:56.123456Z"),
        ("2024-05-01T12:34:56.000Z", "2024-05-01T12:34:56Z"),
        ("2024-05-01T12:34:56.250+02:00", "2024-05-01T10:34:56.25Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
    ],
)
def test_normalize_timestamp_gives_utc_with_z(raw, expected):
    assert normalize_timestamp(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "2024-05-01",
        "12:34:56Z",
        "2024-05-01T12:34:56",
        "2024-05-01T12:34Z",
        "2024-05-01T12:34:56.Z",
        "2024-05-01T12:34:56+0200",
        "2024-05-01T12:34:56 +02:00",
        "2024-5-1T12:34:56Z",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:61Z",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+02:60",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        " 2024-05-01T12:34:56Z",
        "2024-05-01T12:34:56Z ",
        "2024-05-01T12:34:56Z\n",
        "\uff12\uff10\uff12\uff14-05-01T12:34:56Z",
        "2024-05-01T12:34:56Zjunk",
        "yesterday",
    ],
)
def test_normalize_timestamp_refuses_what_is_not_rfc3339(raw):
    assert normalize_timestamp(raw) is None
