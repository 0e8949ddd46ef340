"""items: canonical forms per kind, the identity key, user and API shapes, and the pure planner."""

from __future__ import annotations

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ItemsValidationError,
    MalformedResponseError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ABSENT,
    EXACT,
    PRESENT,
    ListItem,
    item_from_api,
    parse_item,
    parse_items,
    plan,
    sorted_items,
)

ITEM_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"


def canonical(kind: str, raw: object) -> object:
    return parse_item(kind, raw).to_dict()[kind]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("10.0.0.1/32", "10.0.0.1"),
        ("192.168.1.5/24", "192.168.1.0/24"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("2001:DB8::0001", "2001:db8::1"),
        ("2001:db8:0:0:0:0:0:1/128", "2001:db8::1"),
        ("::1/128", "::1"),
        ("0f::/16", "f::/16"),
        ("2001:db8::ff/64", "2001:db8::/64"),
    ],
)
def test_ip_is_stored_masked_bare_at_full_length_and_ipv6_compressed_lower_case(raw: str, stored: str) -> None:
    assert canonical("ip", raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "10.0.0.0/7",
        "2001:db8::/11",
        "10.0.0.256",
        " 10.0.0.1",
        "10.0.0.1\n",
        "fe80::1%eth0",
        "",
        "example.com",
        167772161,
    ],
)
def test_ip_refuses_what_cloudflare_refuses_naming_the_index(raw: object) -> None:
    with pytest.raises(ItemsValidationError) as info:
        parse_items("ip", ["10.0.0.9", raw])
    assert [parameter for parameter, _problem in info.value.problems] == ["items[1]"]
    assert "\n  items[1]: " in str(info.value)
    with pytest.raises(ValidationError) as one:
        parse_item("ip", raw, 1)
    assert str(one.value).startswith("Invalid items[1]: ")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Example.COM", {"url_hostname": "example.com"}),
        ({"url_hostname": "a.example.com"}, {"url_hostname": "a.example.com"}),
        ("*.Example.com", {"url_hostname": "*.example.com", "exclude_exact_hostname": True}),
        (
            {"url_hostname": "*.example.com", "exclude_exact_hostname": False},
            {"url_hostname": "*.example.com", "exclude_exact_hostname": False},
        ),
    ],
)
def test_hostname_is_lower_case_and_a_wildcard_excludes_the_exact_name_by_default(raw: object, stored: object) -> None:
    assert canonical("hostname", raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "localhost",
        "a..example.com",
        "-a.example.com",
        "example.123",
        "https://example.com",
        "example.com/path",
        "a" * 64 + ".com",
        {"url_hostname": "example.com", "exclude_exact_hostname": True},
        {"url_hostname": "*.example.com", "exclude_exact_hostname": "yes"},
        {"url_hostname": 5},
        {"url_hostname": "example.com", "port": 1},
    ],
)
def test_hostname_refuses_what_is_not_a_list_hostname(raw: object) -> None:
    with pytest.raises(ValidationError, match=r"items\[0\]"):
        parse_item("hostname", raw)


def test_hostname_fields_may_be_given_flat_or_under_hostname() -> None:
    flat = parse_item("hostname", {"url_hostname": "*.example.com", "comment": "c"})
    nested = parse_item("hostname", {"hostname": {"url_hostname": "*.EXAMPLE.com"}, "comment": "c"})
    assert flat == nested


@pytest.mark.parametrize(("raw", "stored"), [(13335, 13335), ("13335", 13335), ("AS13335", 13335), ("as0", 0)])
def test_asn_is_an_integer(raw: object, stored: int) -> None:
    assert canonical("asn", raw) == stored


@pytest.mark.parametrize("raw", [True, -1, 2**32, "AS", "13335.0", 1.5, "\uff11\uff12"])
def test_asn_refuses_what_is_not_a_32_bit_number(raw: object) -> None:
    with pytest.raises(ValidationError):
        parse_item("asn", raw)


def test_redirect_leaves_optional_fields_to_cloudflare_and_gets_a_slash_for_an_empty_path() -> None:
    stored = canonical("redirect", {"source_url": "example.com", "target_url": "https://example.net/x"})
    assert stored == {"source_url": "example.com/", "target_url": "https://example.net/x"}
    given = canonical(
        "redirect",
        {"source_url": "example.com", "target_url": "https://example.net/x", "preserve_path_suffix": False},
    )
    assert given == {**stored, "preserve_path_suffix": False}


def test_a_redirect_field_left_out_is_not_compared_and_one_given_is() -> None:
    current = item_from_api(
        "redirect",
        {
            "id": ITEM_ID,
            "redirect": {
                "source_url": "example.com/",
                "target_url": "https://example.net/x",
                "include_subdomains": False,
                "subpath_matching": False,
                "preserve_query_string": False,
                "preserve_path_suffix": True,
                "status_code": 301,
            },
        },
    )
    left_out = parse_items("redirect", [{"source_url": "example.com", "target_url": "https://example.net/x"}])
    assert not plan([current], left_out, EXACT).changed
    given = parse_items(
        "redirect",
        [{"source_url": "example.com", "target_url": "https://example.net/x", "preserve_path_suffix": False}],
    )
    changed = plan([current], given, EXACT)
    assert [change.after.value for change in changed.update] == [given[0].value]
    (write,) = changed.writes
    assert write.body == [{"redirect": given[0].value}]


@pytest.mark.parametrize(
    ("source", "stored"),
    [
        ("EXAMPLE.com/Path", "EXAMPLE.com/Path"),
        ("https://example.com", "https://example.com/"),
        ("example.com:8080", "example.com:8080/"),
        ("example.com?q=1", "example.com/?q=1"),
    ],
)
def test_redirect_source_url_gets_only_a_slash_for_an_empty_path(source: str, stored: str) -> None:
    value = canonical("redirect", {"redirect": {"source_url": source, "target_url": "https://e.net/"}})
    assert value["source_url"] == stored


@pytest.mark.parametrize(
    "raw",
    [
        "example.com",
        {"source_url": "http://[::1", "target_url": "https://e.net/"},
        {"source_url": "example.com", "target_url": "ftp://e.net/"},
        {"source_url": "example.com", "target_url": "/relative"},
        {"source_url": "exa mple.com", "target_url": "https://e.net/"},
        {"source_url": "example.com", "target_url": "https://e.net/", "status_code": 200},
        {"source_url": "example.com", "target_url": "https://e.net/", "status_code": True},
        {"source_url": "example.com", "target_url": "https://e.net/", "subpath_matching": "yes"},
        {"source_url": "192.0.2.1/", "target_url": "https://e.net/"},
        {"source_url": "example.com", "target_url": "https://e.net:99999/"},
        {"source_url": "exa\u202emple.com", "target_url": "https://e.net/"},
        {"source_url": "example.com", "target_url": "https://e.net/", "extra": 1},
    ],
)
def test_redirect_refuses_bad_urls_and_fields(raw: object) -> None:
    with pytest.raises(ValidationError, match=r"items\[0\]"):
        parse_item("redirect", raw)


def test_comment_is_kept_and_an_empty_one_means_none() -> None:
    assert parse_item("ip", {"ip": "10.0.0.1", "comment": "office"}).comment == "office"
    assert parse_item("ip", {"ip": "10.0.0.1", "comment": ""}).comment is None


@pytest.mark.parametrize("comment", [5, "x" * 501])
def test_comment_must_be_a_string_of_at_most_500_characters(comment: object) -> None:
    with pytest.raises(ValidationError, match="comment"):
        parse_item("ip", {"ip": "10.0.0.1", "comment": comment})


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("ip", {"hostname": "example.com"}),
        ("ip", {"ip": "10.0.0.1", "asn": 5}),
        ("asn", {"comment": "x"}),
        ("ip", None),
    ],
)
def test_an_item_of_another_kind_or_without_its_field_is_refused(kind: str, raw: object) -> None:
    with pytest.raises(ValidationError):
        parse_item(kind, raw)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="kind"):
        parse_item("email", "a@example.com")


def test_two_items_with_one_canonical_key_are_refused_naming_both_as_written() -> None:
    with pytest.raises(ItemsValidationError) as info:
        parse_items("ip", ["10.0.0.1", "10.0.0.2", "10.0.0.1/32"])
    ((parameter, problem),) = info.value.problems
    assert parameter == "items[2]"
    assert "'10.0.0.1/32' is the same ip as items[0] ('10.0.0.1')" in problem


def test_every_bad_item_is_named_at_once_up_to_a_cap_then_counted() -> None:
    raws = ["10.0.0.1", *[f"10.0.0.{300 + n}" for n in range(30)], "10.0.0.2", "10.0.0.2"]
    with pytest.raises(ItemsValidationError) as info:
        parse_items("ip", raws)
    named = [parameter for parameter, _problem in info.value.problems]
    assert named == [f"items[{n}]" for n in range(1, 31)] + ["items[32]"]
    message = str(info.value)
    assert message.startswith("Invalid items: 31 of 33 items are not valid; nothing was sent.")
    assert message.count("\n  items[") == 20
    assert message.endswith("... and 11 more Fix these items and run again.")


def test_the_identity_of_a_redirect_is_its_source_url() -> None:
    with pytest.raises(ValidationError):
        parse_items(
            "redirect",
            [
                {"source_url": "example.com", "target_url": "https://a.example/"},
                {"source_url": "example.com/", "target_url": "https://b.example/"},
            ],
        )


def test_an_api_item_reads_canonical_with_its_id_and_ignores_other_kinds_empty_objects() -> None:
    item = item_from_api("ip", {"id": ITEM_ID, "ip": "10.0.0.1", "hostname": {}, "redirect": {}, "created_on": "x"})
    assert item == parse_item("ip", "10.0.0.1/32")
    assert item.id == ITEM_ID


def test_an_api_item_outside_the_write_limits_still_reads() -> None:
    assert item_from_api("ip", {"ip": "2001:db8::/8"}).key == "2000::/8"


def test_an_api_non_wildcard_hostname_drops_a_false_exclude_flag() -> None:
    item = item_from_api("hostname", {"hostname": {"url_hostname": "example.com", "exclude_exact_hostname": False}})
    assert item == parse_item("hostname", "example.com")


def test_an_api_item_that_is_not_an_item_is_a_malformed_response() -> None:
    with pytest.raises(MalformedResponseError, match="not a valid ip item"):
        item_from_api("ip", {"id": ITEM_ID, "asn": 5})


def test_items_sort_as_cloudflare_sorts_them() -> None:
    items = parse_items("ip", ["10.0.0.0/8", "2001:db8::1", "9.0.0.0", "10.0.0.0/24", "10.0.0.1"])
    assert [item.key for item in sorted_items(items)] == [
        "9.0.0.0",
        "10.0.0.0/8",
        "10.0.0.0/24",
        "10.0.0.1",
        "2001:db8::1",
    ]


def stored(*raws: object) -> list[ListItem]:
    """Items as read back from the API, each with an id."""
    return [
        item_from_api("ip", {"id": f"{index:032x}", **(raw if isinstance(raw, dict) else {"ip": raw})})
        for index, raw in enumerate(raws)
    ]


def test_plan_of_equal_canonical_sets_is_empty_in_every_mode() -> None:
    current = stored("10.0.0.1", {"ip": "192.168.1.0/24", "comment": "lan"})
    desired = parse_items("ip", ["10.0.0.1/32", {"ip": "192.168.1.5/24", "comment": "lan"}])
    for mode in (EXACT, PRESENT):
        items_plan = plan(current, desired, mode)
        assert not items_plan.changed
        assert items_plan.to_dict() == {"add": [], "update": [], "remove": [], "writes": []}
        assert items_plan.before == items_plan.after


def test_exact_plan_adds_updates_comments_and_removes_the_rest() -> None:
    current = stored({"ip": "10.0.0.1", "comment": "old"}, "10.0.0.2", "10.0.0.3")
    desired = parse_items("ip", [{"ip": "10.0.0.1", "comment": "new"}, "10.0.0.3", "10.0.0.4"])
    items_plan = plan(current, desired, EXACT)
    assert items_plan.to_dict() == {
        "add": [{"ip": "10.0.0.4"}],
        "update": [{"ip": "10.0.0.1", "comment": "new"}],
        "remove": [{"ip": "10.0.0.2"}],
        "writes": [{"method": "POST", "items": 2}, {"method": "DELETE", "items": 1}],
    }
    assert [item.key for item in items_plan.after] == ["10.0.0.1", "10.0.0.3", "10.0.0.4"]
    assert items_plan.update[0].before.comment == "old"
    assert items_plan.remove[0].id == current[1].id


def test_dropping_a_comment_is_an_update() -> None:
    items_plan = plan(stored({"ip": "10.0.0.1", "comment": "old"}), parse_items("ip", ["10.0.0.1"]), EXACT)
    assert items_plan.to_dict()["update"] == [{"ip": "10.0.0.1"}]


def test_present_plan_never_removes_and_keeps_others_in_after() -> None:
    current = stored("10.0.0.1", "10.0.0.2")
    items_plan = plan(current, parse_items("ip", ["10.0.0.3"]), PRESENT)
    assert items_plan.to_dict() == {
        "add": [{"ip": "10.0.0.3"}],
        "update": [],
        "remove": [],
        "writes": [{"method": "POST", "items": 1}],
    }
    assert [item.key for item in items_plan.after] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_absent_plan_removes_only_given_items_that_exist_whatever_their_comment() -> None:
    current = stored({"ip": "10.0.0.1", "comment": "x"}, "10.0.0.2")
    items_plan = plan(current, parse_items("ip", ["10.0.0.1/32", "10.0.0.9"]), ABSENT)
    assert items_plan.to_dict() == {
        "add": [],
        "update": [],
        "remove": [{"ip": "10.0.0.1", "comment": "x"}],
        "writes": [{"method": "DELETE", "items": 1}],
    }
    assert [item.key for item in items_plan.after] == ["10.0.0.2"]


def test_exact_plan_to_nothing_removes_everything() -> None:
    items_plan = plan(stored("10.0.0.1", "10.0.0.2"), [], EXACT)
    assert len(items_plan.remove) == 2
    assert items_plan.after == ()


def test_plan_diff_is_before_and_after_as_canonical_dicts() -> None:
    items_plan = plan(stored("10.0.0.1"), parse_items("ip", ["10.0.0.2"]), EXACT)
    assert items_plan.diff() == {"before": [{"ip": "10.0.0.1"}], "after": [{"ip": "10.0.0.2"}]}
    assert items_plan.summary() == "add 1, update 0, remove 1 (of 1 item now)"


def test_a_redirect_target_change_is_an_update_of_the_same_key() -> None:
    current = [
        item_from_api("redirect", {"redirect": {"source_url": "example.com/", "target_url": "https://a.example/"}})
    ]
    desired = parse_items("redirect", [{"source_url": "example.com", "target_url": "https://b.example/"}])
    items_plan = plan(current, desired, EXACT)
    assert (len(items_plan.add), len(items_plan.update), len(items_plan.remove)) == (0, 1, 0)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="mode"):
        plan([], [], "replace")


def test_writes_post_additions_and_updates_then_delete_removals_by_id_and_touch_nothing_else() -> None:
    current = stored({"ip": "10.0.0.1", "comment": "old"}, "10.0.0.2", "10.0.0.3")
    items_plan = plan(current, parse_items("ip", ["10.0.0.1", "10.0.0.3", "10.0.0.4"]), EXACT)
    post, delete = items_plan.writes
    assert (post.method, post.body) == ("POST", [{"ip": "10.0.0.4"}, {"ip": "10.0.0.1", "comment": ""}])
    assert (delete.method, delete.body) == ("DELETE", {"items": [{"id": current[1].id}]})


def test_writes_are_one_put_only_when_no_current_item_stays() -> None:
    current = stored({"ip": "10.0.0.1", "comment": "old"}, "10.0.0.2")
    items_plan = plan(current, parse_items("ip", ["10.0.0.1", "10.0.0.4"]), EXACT)
    (put,) = items_plan.writes
    assert (put.method, put.body) == ("PUT", [{"ip": "10.0.0.1"}, {"ip": "10.0.0.4"}])


def test_removing_every_item_is_one_delete_by_id_not_a_put() -> None:
    current = stored("10.0.0.1", "10.0.0.2")
    (delete,) = plan(current, [], EXACT).writes
    assert delete.method == "DELETE"
    assert delete.body == {"items": [{"id": current[0].id}, {"id": current[1].id}]}


def test_a_plan_with_no_change_has_no_writes() -> None:
    assert plan(stored("10.0.0.1"), parse_items("ip", ["10.0.0.1/32"]), EXACT).writes == ()
