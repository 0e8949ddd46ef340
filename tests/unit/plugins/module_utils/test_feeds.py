"""The feed reader: lines with '#' and ';' comments, or a JSON array of items; every bad line named at once."""

from __future__ import annotations

import json

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ItemsValidationError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.feeds import (
    MAX_REPORTED_PROBLEMS,
    feed_lines,
    field_of,
    line_names,
    parse_feed,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items

# Shaped like Spamhaus DROP: a ';' header, then "prefix ; SBL id", CRLF line ends.
DROP = "\r\n".join(
    [
        "; Spamhaus DROP List 2024/05/01 - (c) 2024 The Spamhaus Project SLU",
        "; https://www.spamhaus.org/drop/drop.txt",
        "; Last-Modified: Wed, 01 May 2024 10:07:42 GMT",
        "; Expires: Thu, 02 May 2024 11:19:56 GMT",
        "1.10.16.0/20 ; SBL256894",
        "1.19.0.0/16 ; SBL434604",
        "2.56.192.0/22 ; SBL459831",
        "",
    ]
)

# Shaped like a cloud provider's IP-ranges file: a JSON object around the prefixes.
IP_RANGES = json.dumps(
    {
        "syncToken": "1714557457",
        "createDate": "2024-05-01-10-17-37",
        "prefixes": [
            {"ip_prefix": "3.2.34.0/26", "region": "af-south-1", "service": "AMAZON"},
            {"ip_prefix": "13.34.37.64/27", "region": "ap-southeast-4", "service": "AMAZON"},
        ],
    },
    indent=2,
)


def test_a_drop_style_feed_gives_its_prefixes_and_skips_its_header() -> None:
    feed = parse_feed(DROP)
    assert feed.items == ["1.10.16.0/20", "1.19.0.0/16", "2.56.192.0/22"]
    assert feed.lines == [5, 6, 7]


def test_a_drop_style_feed_with_a_bom_keeps_its_sbl_ids_as_comments_the_core_accepts() -> None:
    feed = parse_feed("\ufeff" + DROP, kind="ip", comments=True)
    assert feed.items == [
        {"ip": "1.10.16.0/20", "comment": "SBL256894"},
        {"ip": "1.19.0.0/16", "comment": "SBL434604"},
        {"ip": "2.56.192.0/22", "comment": "SBL459831"},
    ]
    assert [item.comment for item in parse_items("ip", feed.items)] == ["SBL256894", "SBL434604", "SBL459831"]


def test_hash_comments_full_line_and_trailing_and_an_item_without_a_comment_stays_plain() -> None:
    text = "# office\n192.0.2.1   # front door\n\t198.51.100.0/24#partner\n203.0.113.9\n"
    assert parse_feed(text).items == ["192.0.2.1", "198.51.100.0/24", "203.0.113.9"]
    assert parse_feed(text, kind="ip", comments=True).items == [
        {"ip": "192.0.2.1", "comment": "front door"},
        {"ip": "198.51.100.0/24", "comment": "partner"},
        "203.0.113.9",
    ]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("192.0.2.0/24", "ip"),
        ("10.0.0.1", "ip"),
        ("2001:db8::/48", "ip"),
        ("AS13335", "asn"),
        ("13335", "asn"),
        ("*.example.com", "hostname"),
        ("deadbeef.com", "hostname"),
    ],
)
def test_without_a_kind_a_commented_item_takes_the_field_its_shape_says(value: str, field: str) -> None:
    assert field_of(value) == field
    assert parse_feed(f"{value} ; why", comments=True).items == [{field: value, "comment": "why"}]


@pytest.mark.parametrize(
    "line_end", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r"], ids=repr
)
def test_a_character_some_tool_takes_for_a_line_end_is_refused_so_a_comment_never_hides_an_item(
    line_end: str,
) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_feed(f"10.0.0.1\n# looks like one comment line{line_end}10.0.0.9\n")
    assert f"line 2 holds U+{ord(line_end):04X}" in str(raised.value)


def test_lines_end_at_newline_and_crlf_only() -> None:
    assert [line.number for line in feed_lines("a\r\nb\nc\r\n\r\nd")] == [1, 2, 3, 5]


def test_every_bad_line_is_named_at_once() -> None:
    text = "10.0.0.1\n10.0.0.2 10.0.0.3\n\n10.0.0.4\u200b\n10.0.0.5\x0c\n10.0.0.6\n"
    with pytest.raises(ValidationError) as raised:
        parse_feed(text, parameter="--file", source="'feed.txt'")
    message = str(raised.value)
    assert message.startswith("Invalid --file: 'feed.txt' has 3 bad lines: line 2 holds more than one value")
    assert "line 4 holds the invisible or control character U+200B" in message
    assert "line 5 holds U+000C" in message


def test_a_long_list_of_bad_lines_is_capped_and_counted() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_feed("\n".join(f"10.0.0.{index} x" for index in range(30)))
    message = str(raised.value)
    assert "30 bad lines" in message
    assert message.count("holds more than one value") == MAX_REPORTED_PROBLEMS
    assert message.endswith(f"and {30 - MAX_REPORTED_PROBLEMS} more.")


def test_a_json_array_is_the_items_as_given_with_its_comments_and_a_bom_tolerated() -> None:
    items = [{"ip": "192.0.2.1", "comment": "front door"}, "198.51.100.0/24"]
    feed = parse_feed("\ufeff\n  " + json.dumps(items))
    assert feed.items == items
    assert feed.lines is None


def test_an_ip_ranges_style_json_object_is_refused_saying_that_an_array_is_expected() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_feed(IP_RANGES, parameter="--file", source="'ip-ranges.json'")
    message = str(raised.value)
    assert message.startswith("Invalid --file: 'ip-ranges.json' is a JSON object; give a JSON array of items")
    assert "[.prefixes[].ip_prefix]" in message


def test_a_deeply_nested_json_array_is_a_validation_error_not_a_recursion_error() -> None:
    with pytest.raises(ValidationError, match="nested too deeply"):
        parse_feed("[" * 200_000 + "]" * 200_000)


def test_json_that_is_not_an_array_of_items_says_so() -> None:
    with pytest.raises(ValidationError, match="starts with '\\[' but is not a JSON array"):
        parse_feed('["10.0.0.1",')


def test_redirects_cannot_come_as_lines() -> None:
    with pytest.raises(ValidationError, match="give them as a JSON array of objects"):
        parse_feed("example.com/a https://example.net/", kind="redirect")


def test_a_comment_only_feed_has_no_items() -> None:
    assert parse_feed("; nothing today\r\n# really\r\n").items == []


# Three lines without a value, then one good item and two that are no IP list's items.
BAD_ITEMS = "# blocklist\n; from the feed\n\n1.2.3.4\nnot-an-ip ; x\n10.0.0.0/7\n"


def test_checked_against_its_kind_every_bad_item_is_named_by_its_line() -> None:
    with pytest.raises(ValidationError) as info:
        parse_feed(BAD_ITEMS, kind="ip", comments=True, parameter="feed_items", source="its input", check_items=True)
    assert str(info.value) == (
        "Invalid feed_items: its input has 2 bad lines: line 5: 'not-an-ip' is not an IP address or CIDR range; "
        "line 6: '10.0.0.0/7': Cloudflare accepts IPv4 prefixes from /8 to /32."
    )
    assert "items[" not in str(info.value)


def test_bad_items_and_lines_bad_in_themselves_are_named_together_in_line_order() -> None:
    text = "10.0.0.0/7\n1.2.3.4 5.6.7.8\n1.2.3.4\n1.2.3.4/32 ; again\n"
    with pytest.raises(ValidationError) as info:
        parse_feed(text, kind="ip", check_items=True)
    message = str(info.value)
    assert message.startswith("Invalid feed: the feed has 3 bad lines: line 1: '10.0.0.0/7'")
    assert message.index("line 1:") < message.index("line 2 holds more than one value") < message.index("line 4:")
    # A duplicate names the line it repeats, not an index.
    assert "line 4: '1.2.3.4/32' is the same ip as line 3 ('1.2.3.4')" in message


def test_unchecked_the_feed_gives_its_items_for_the_core_to_check() -> None:
    feed = parse_feed(BAD_ITEMS, kind="ip")
    assert (feed.items, feed.lines) == (["1.2.3.4", "not-an-ip", "10.0.0.0/7"], [4, 5, 6])
    assert parse_feed("1.2.3.4\n", kind="ip", check_items=True).items == ["1.2.3.4"]


def test_a_checked_json_array_names_its_bad_items_by_index() -> None:
    with pytest.raises(ItemsValidationError) as info:
        parse_feed('["1.2.3.4", "not-an-ip"]', kind="ip", check_items=True)
    assert [parameter for parameter, _problem in info.value.problems] == ["items[1]"]


def test_line_names_turn_each_item_back_into_its_line() -> None:
    assert line_names([4, 7]) == {"items[0]": "line 4", "items[1]": "line 7"}
    assert line_names([4], "--file ") == {"items[0]": "--file line 4"}
