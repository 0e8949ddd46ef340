"""Properties cross between the engine's names and markers and the shared providers' plain dicts, both ways."""

from __future__ import annotations

from pulumi.output import UNKNOWN
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import rpc

from pulumi_provider.native.wire import Names, camel, to_plain, to_value

NAMES = Names(("account_id", "items", "bulk_operation"), frozenset({"bulk_operation"}))


def test_camel_case_names() -> None:
    assert [camel(n) for n in ("account_id", "items", "fail_on_operation_failure")] == [
        "accountId",
        "items",
        "failOnOperationFailure",
    ]


def test_incoming_properties_take_the_cores_names_and_say_which_were_secret() -> None:
    props = {
        "accountId": PropertyValue("a").with_secret(True),
        "items": PropertyValue([PropertyValue(1.0), PropertyValue({"ip": PropertyValue("10.0.0.1")})]),
        "account_id": PropertyValue("not ours"),
    }
    plain, secret = NAMES.incoming(props)
    assert plain == {"account_id": "a", "items": [1.0, {"ip": "10.0.0.1"}]} and secret == {"account_id"}
    assert NAMES.unknown(props) == ["account_id"]


def test_outgoing_properties_take_the_engines_names_marks_and_numbers() -> None:
    out = NAMES.outgoing(
        {"account_id": "a", "items": [13335], "bulk_operation": {"completed_at": None, "id": "op"}}, {"account_id"}
    )
    assert out["accountId"].is_secret and to_plain(out["accountId"]) == "a"
    assert to_plain(out["items"]) == [13335.0]  # numbers travel as floats
    assert to_plain(out["bulkOperation"]) == {"completedAt": None, "id": "op"}  # a write's facts, in camelCase too
    assert NAMES.incoming(out)[0]["bulk_operation"] == {"completed_at": None, "id": "op"}


def test_a_value_not_known_yet_travels_as_the_wires_sentinel() -> None:
    assert to_value(UNKNOWN).value == rpc.UNKNOWN
    assert to_value({"a": UNKNOWN}).marshal().struct_value.fields["a"].string_value == rpc.UNKNOWN


def test_paths_name_the_property_as_the_engine_does() -> None:
    assert (NAMES.path("account_id"), NAMES.path("items[3]"), NAMES.path("other")) == ("accountId", "items[3]", "other")
