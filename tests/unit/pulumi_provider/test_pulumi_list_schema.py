"""The list resources' schemas: items checked and compared canonical, what replaces, and the typed faces matching."""

from __future__ import annotations

import pytest
from pulumi.output import Unknown
from pulumi_testkit import ACCOUNT

from pulumi_provider import ListItems, ListItemsArgs, RulesList, RulesListArgs
from pulumi_provider.list_schema import LIST_ITEMS, RULES_LIST, in_declared_order
from pulumi_provider.schema import is_unknown, plain_numbers

LIST_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"
RULES = {"account_id": ACCOUNT, "name": "blocklist", "kind": "ip"}
ITEMS = {"account_id": ACCOUNT, "list_id": LIST_ID}


def test_args_and_resources_match_their_schemas() -> None:
    RULES_LIST.verify(RulesListArgs, RulesList)
    LIST_ITEMS.verify(ListItemsArgs, ListItems)


def test_a_mismatched_args_class_is_reported() -> None:
    with pytest.raises(TypeError, match="has fields"):
        RULES_LIST.verify(ListItemsArgs, RulesList)


def test_rules_list_check_defaults_the_description_and_leaves_items_unmanaged() -> None:
    inputs, failures = RULES_LIST.check(RULES)
    assert failures == []
    assert inputs == {**RULES, "description": "", "wait_timeout": 900.0, "allow_empty": False, "adopt": False}


def test_adopt_is_true_or_false() -> None:
    assert RULES_LIST.check({**RULES, "adopt": True})[0]["adopt"] is True
    assert RULES_LIST.check({**RULES, "adopt": "yes"})[1] == [("adopt", "expected true or false, got 'yes'.")]


def test_the_inputs_a_refresh_records_are_those_a_program_giving_the_outputs_would_have() -> None:
    outs = {
        **RULES,
        "description": "",
        "items": [{"ip": "192.0.2.9"}, {"ip": "10.0.0.1", "comment": "x"}],
        "wait_timeout": 900.0,
        "allow_empty": False,
        "adopt": True,
        "list_id": LIST_ID,
        "num_items": 2,
        "bulk_operation": None,
        "manages_items": True,
    }
    program = {**RULES, "items": ["192.0.2.9/32", {"ip": "10.0.0.1", "comment": "x"}], "adopt": True}
    assert RULES_LIST.inputs_from_outputs(outs) == RULES_LIST.check(program)[0]
    assert RULES_LIST.inputs_from_outputs({**outs, "kind": "sometimes"}) is None


def test_rules_list_check_records_items_canonical_in_the_programs_order() -> None:
    inputs, _ = RULES_LIST.check(
        {**RULES, "items": ["2001:DB8::1", "10.0.0.1/32", {"ip": "10.0.0.0/8", "comment": "x"}]}
    )
    assert inputs["items"] == [{"ip": "2001:db8::1"}, {"ip": "10.0.0.1"}, {"ip": "10.0.0.0/8", "comment": "x"}]


def test_list_items_check_records_items_canonical_in_the_one_kind_they_fit() -> None:
    inputs, failures = LIST_ITEMS.check({**ITEMS, "items": ["198.51.100.7/32", {"ip": "2001:DB8::1"}]})
    assert failures == []
    assert inputs["items"] == [{"ip": "198.51.100.7"}, {"ip": "2001:db8::1"}]
    assert LIST_ITEMS.check({**ITEMS, "items": ["AS13335"]})[0]["items"] == [{"asn": 13335}]


def test_outputs_keep_the_declared_order_and_put_other_items_after() -> None:
    read = [{"ip": "10.0.0.1"}, {"ip": "192.0.2.9"}, {"ip": "2001:db8::1"}]
    assert in_declared_order("ip", read, ["2001:DB8::1", "10.0.0.1/32"]) == [
        {"ip": "2001:db8::1"},
        {"ip": "10.0.0.1"},
        {"ip": "192.0.2.9"},
    ]
    assert in_declared_order("ip", read, None) == read


def test_rules_list_check_leaves_items_unchecked_until_the_kind_is_known() -> None:
    inputs, failures = RULES_LIST.check({**RULES, "kind": Unknown(), "items": ["not an ip"]})
    assert failures == [] and inputs["items"] == ["not an ip"]


def test_an_item_not_known_yet_passes_check_and_counts_as_changed() -> None:
    items = ["192.0.2.1", Unknown()]
    inputs, failures = RULES_LIST.check({**RULES, "items": items})
    assert failures == [] and is_unknown(inputs["items"])
    assert RULES_LIST.changed({**RULES, "items": [{"ip": "192.0.2.1"}]}, {**RULES, "items": items}) == ["items"]


def test_diff_compares_canonical_items_in_any_order() -> None:
    olds = {**RULES, "description": "", "items": [{"ip": "10.0.0.1"}, {"ip": "2001:db8::1"}]}
    news = {**RULES, "description": "", "items": ["2001:DB8::1", "10.0.0.1/32"]}
    assert RULES_LIST.changed(olds, news) == []


def test_diff_sees_a_changed_comment() -> None:
    olds = {**RULES, "items": [{"ip": "10.0.0.1"}]}
    assert RULES_LIST.changed(olds, {**RULES, "items": [{"ip": "10.0.0.1", "comment": "why"}]}) == ["items"]


def test_omitted_items_never_make_a_diff_but_an_empty_list_does() -> None:
    olds = {**RULES, "items": [{"ip": "10.0.0.1"}]}
    assert RULES_LIST.changed(olds, RULES) == []
    assert RULES_LIST.changed(olds, {**RULES, "items": []}) == ["items"]


def test_rules_list_replaces_on_account_name_or_kind_only() -> None:
    assert RULES_LIST.replace_names == ("account_id", "name", "kind")
    assert LIST_ITEMS.replace_names == ("account_id", "list_id")


def test_list_items_check_takes_items_of_any_kind_canonical() -> None:
    for items, canonical in (
        (["10.0.0.1/32"], [{"ip": "10.0.0.1"}]),
        ([13335], [{"asn": 13335}]),
        (["*.Example.com"], [{"hostname": {"url_hostname": "*.example.com", "exclude_exact_hostname": True}}]),
        ([], []),
    ):
        inputs, failures = LIST_ITEMS.check({"account_id": ACCOUNT, "list_id": LIST_ID, "items": items})
        assert failures == [] and inputs["items"] == canonical


def test_list_items_check_reports_the_item_that_fits_no_kind() -> None:
    _, failures = LIST_ITEMS.check({"account_id": ACCOUNT, "list_id": LIST_ID, "items": ["192.0.2.1", "10.0.0.0/7"]})
    assert failures == [("", "items[1]: '10.0.0.0/7': Cloudflare accepts IPv4 prefixes from /8 to /32.")]


def test_list_items_requires_items() -> None:
    _, failures = LIST_ITEMS.check({"account_id": ACCOUNT, "list_id": LIST_ID})
    assert failures == [("items", "required: the items this resource adds to the list and owns.")]


def test_list_items_diff_reads_the_new_items_in_the_recorded_kind() -> None:
    olds = {"account_id": ACCOUNT, "list_id": LIST_ID, "kind": "asn", "items": [{"asn": 13335}]}
    assert LIST_ITEMS.changed(olds, {**olds, "items": ["AS13335"]}) == []
    assert LIST_ITEMS.changed(olds, {**olds, "items": [13336]}) == ["items"]


def test_whole_floats_from_the_wire_become_ints_again() -> None:
    assert plain_numbers({"asn": 13335.0, "x": [301.0, 0.5, True]}) == {"asn": 13335, "x": [301, 0.5, True]}
