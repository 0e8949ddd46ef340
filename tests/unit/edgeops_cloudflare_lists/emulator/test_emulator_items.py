"""Items through the API: canonical forms as Cloudflare stores them, per-kind validation, the read shape, sorted
cursor pagination and search."""

from __future__ import annotations

import base64
import json
from typing import Any, Callable, Dict, List

import pytest
from emulator_testkit import Api, finish

from edgeops_cloudflare_lists.emulator import Emulator
from tests.fake_clock import FakeClock


def stored(api: Api, clock: FakeClock, kind: str, items: List[Any]) -> List[Dict[str, Any]]:
    """Write ``items`` to a new list of ``kind``; the items as read back."""
    list_id = api.create_list(f"list_{kind}", kind)["id"]
    assert finish(api, api.write("POST", list_id, items), clock)["status"] == "completed"
    return api.items(list_id)


def failure(api: Api, clock: FakeClock, kind: str, item: Any) -> str:
    """The error of an operation that writes ``item`` to a new list of ``kind``."""
    list_id = api.create_list(f"list_{kind}", kind)["id"]
    failed = finish(api, api.write("POST", list_id, [item]), clock)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("invalid list item at index 0:")
    return str(failed["error"])


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.0.2.7/32", "192.0.2.7"),
        ("10.0.0.1/8", "10.0.0.0/8"),
        ("192.168.1.5/24", "192.168.1.0/24"),
        ("::1/128", "::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("0f::", "f::"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8::1/64", "2001:db8::/64"),
        ("2001:db8::/96", "2001:db8::/96"),
        ("2400::/12", "2400::/12"),
    ],
)
def test_ips_are_stored_in_canonical_form(frozen_api: Api, clock: FakeClock, given: str, canonical: str) -> None:
    [item] = stored(frozen_api, clock, "ip", [{"ip": given}])
    assert item["ip"] == canonical


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/7",  # IPv4 prefix shorter than /8
        "2001:db8::/11",  # IPv6 prefix shorter than /12
        "10.0.0.0/33",
        "2001:db8::/129",
        "10.0.0.0/255.0.0.0",  # a netmask is not CIDR notation
        "10.0.0.0/08",  # no leading zero in the prefix
        "10.0.0.0/",
        "010.0.0.1",
        "10.0.0.256",
        " 10.0.0.1",
        "10.0.0.1\n",
        "\u0661.2.3.4",  # ARABIC-INDIC DIGIT ONE
        "10.0.0.0/\u0668",
        "not-an-ip",
        "",
        "fe80::1%eth0",
        42,
        None,
        ["10.0.0.1"],
    ],
)
def test_invalid_ips_fail_the_operation(frozen_api: Api, clock: FakeClock, value: Any) -> None:
    failure(frozen_api, clock, "ip", {"ip": value})


@pytest.mark.parametrize(
    ("kind", "item", "message"),
    [
        ("ip", {"hostname": {"url_hostname": "example.com"}}, 'needs the "ip" field'),
        ("ip", {"ip": "10.0.0.1", "asn": 1}, 'does not accept "asn"'),
        ("ip", {"ip": "10.0.0.1", "hostname": {}, "redirect": {}}, 'does not accept "redirect", "hostname"'),
        ("ip", "10.0.0.1", "expected a JSON object"),
        ("ip", {"ip": "10.0.0.1", "comment": 5}, "comment must be a string"),
        ("ip", {"ip": "10.0.0.1", "comment": "c" * 501}, "at most 500 characters"),
        ("asn", {"asn": "13335"}, "not a valid ASN"),
        ("asn", {"asn": True}, "not a valid ASN"),
        ("asn", {"asn": -1}, "not a valid ASN"),
        ("asn", {"asn": 2**32}, "not a valid ASN"),
        ("asn", {"asn": 13335.0}, "not a valid ASN"),
        ("hostname", {"hostname": {"url_hostname": "https://example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "example.com/path"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "localhost"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "a.*.example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "-bad.example.com"}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "example.com."}}, "not a valid hostname"),
        ("hostname", {"hostname": {"url_hostname": "\u212a.example.com"}}, "not a valid hostname"),  # KELVIN SIGN
        ("hostname", {"hostname": {"url_hostname": "b\u00fccher.example"}}, "not a valid hostname"),
        ("hostname", {"hostname": "example.com"}, "url_hostname"),
        ("hostname", {"hostname": {"url_hostname": "*.a.com", "exclude_exact_hostname": "yes"}}, "true or false"),
        ("hostname", {"hostname": {"url_hostname": "a.com", "exclude": True}}, 'does not accept "exclude"'),
        ("hostname", {"hostname": {"url_hostname": "a.com", "exclude_exact_hostname": True}}, "only to a wildcard"),
        ("redirect", {"redirect": {"source_url": "example.com/a"}}, "target_url"),
        ("redirect", {"redirect": {"source_url": "", "target_url": "https://x.example/"}}, "source_url"),
        ("redirect", {"redirect": {"source_url": "http://[::1", "target_url": "https://x.example/"}}, "hostname"),
        ("redirect", {"redirect": {"source_url": "example.com/a", "target_url": "http://[::1"}}, "target_url"),
        ("redirect", {"redirect": {"source_url": "a b.com/", "target_url": "https://x.example/"}}, "spaces"),
        ("redirect", {"redirect": {"source_url": "ftp://a.com/", "target_url": "https://x.example/"}}, "hostname"),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "https://x.example/", "status_code": 303}},
            "status_code",
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "ftp://x.example/"}},
            "absolute http or https URL",
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "https://x.example/", "subpath_matching": 1}},
            "subpath_matching",
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/a", "target_url": "https://x.example/", "preserve": True}},
            'does not accept "preserve"',
        ),
    ],
)
def test_items_are_validated_per_kind_inside_the_operation(
    frozen_api: Api, clock: FakeClock, kind: str, item: Any, message: str
) -> None:
    assert message in failure(frozen_api, clock, kind, item)


def test_a_bad_redirect_url_fails_the_operation_and_the_emulator_keeps_serving(
    frozen_api: Api, clock: FakeClock
) -> None:
    """The write that once made the emulator answer 500 and then report 'completed' with nothing applied."""
    list_id = frozen_api.create_list("redirects", "redirect")["id"]
    good = {"redirect": {"source_url": "example.com/a", "target_url": "https://example.net/"}}
    bad = {"redirect": {"source_url": "http://[::1", "target_url": "https://example.net/"}}
    failed = finish(frozen_api, frozen_api.write("POST", list_id, [good, bad]), clock)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("invalid list item at index 1:")
    assert frozen_api.items(list_id) == []
    assert finish(frozen_api, frozen_api.write("POST", list_id, [good]), clock)["status"] == "completed"
    assert len(frozen_api.items(list_id)) == 1


@pytest.mark.parametrize(
    ("kind", "item", "value"),
    [
        ("asn", {"asn": 13335}, 13335),
        ("asn", {"asn": 0}, 0),
        (
            "hostname",
            {"hostname": {"url_hostname": "*.Example.com"}},
            {"url_hostname": "*.example.com", "exclude_exact_hostname": True},
        ),
        (
            "hostname",
            {"hostname": {"url_hostname": "*.example.com", "exclude_exact_hostname": False}},
            {"url_hostname": "*.example.com", "exclude_exact_hostname": False},
        ),
        ("hostname", {"hostname": {"url_hostname": "API.example.co.uk"}}, {"url_hostname": "api.example.co.uk"}),
        (
            "hostname",
            {"hostname": {"url_hostname": "example.com", "exclude_exact_hostname": False}},
            {"url_hostname": "example.com"},
        ),
        (
            "redirect",
            {"redirect": {"source_url": "example.com/arch", "target_url": "https://archlinux.org/"}},
            {
                "source_url": "example.com/arch",
                "target_url": "https://archlinux.org/",
                "include_subdomains": False,
                "subpath_matching": False,
                "preserve_query_string": False,
                "preserve_path_suffix": True,
                "status_code": 301,
            },
        ),
        (
            "redirect",
            {
                "redirect": {
                    "source_url": "https://example.com",
                    "target_url": "http://example.net/b",
                    "status_code": 308,
                    "include_subdomains": True,
                    "preserve_path_suffix": False,
                }
            },
            {
                "source_url": "https://example.com/",
                "target_url": "http://example.net/b",
                "include_subdomains": True,
                "subpath_matching": False,
                "preserve_query_string": False,
                "preserve_path_suffix": False,
                "status_code": 308,
            },
        ),
    ],
)
def test_valid_items_of_each_kind_are_stored_canonical(
    frozen_api: Api, clock: FakeClock, kind: str, item: Dict[str, Any], value: Any
) -> None:
    [saved] = stored(frozen_api, clock, kind, [item])
    assert saved[kind] == value


@pytest.mark.parametrize(("configured", "expected"), [({}, True), ({"preserve_path_suffix_default": False}, False)])
def test_a_redirect_written_without_preserve_path_suffix_gets_the_configured_default(
    start_emulator: Callable[..., Emulator],
    api_for: Callable[..., Api],
    clock: FakeClock,
    configured: Dict[str, Any],
    expected: bool,
) -> None:
    api = api_for(start_emulator(clock=clock, **configured))
    item = {"redirect": {"source_url": "example.com/a", "target_url": "https://example.net/", "status_code": None}}
    [saved] = stored(api, clock, "redirect", [item])
    assert saved["redirect"]["preserve_path_suffix"] is expected
    assert saved["redirect"]["status_code"] == 301  # null is left out, as for every optional field


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("example.com", "example.com/"),
        ("example.com?q=1", "example.com/?q=1"),
        ("example.com:8443", "example.com:8443/"),
        ("HTTPS://Example.com", "HTTPS://Example.com/"),
        ("example.com/", "example.com/"),
        ("example.com/A/b", "example.com/A/b"),
    ],
)
def test_a_redirect_source_with_an_empty_path_gets_a_slash(
    frozen_api: Api, clock: FakeClock, source: str, canonical: str
) -> None:
    item = {"redirect": {"source_url": source, "target_url": "https://example.net/"}}
    [saved] = stored(frozen_api, clock, "redirect", [item])
    assert saved["redirect"]["source_url"] == canonical


@pytest.mark.parametrize(
    ("kind", "item", "placeholders"),
    [
        ("ip", {"ip": "10.0.0.1"}, {"hostname": {}, "redirect": {}}),
        ("asn", {"asn": 13335}, {"hostname": {}, "redirect": {}}),
        ("hostname", {"hostname": {"url_hostname": "example.com"}}, {"redirect": {}}),
        ("redirect", {"redirect": {"source_url": "a.com/", "target_url": "https://b.com/"}}, {"hostname": {}}),
    ],
)
def test_a_read_item_carries_empty_objects_for_the_other_object_fields(
    frozen_api: Api, clock: FakeClock, kind: str, item: Dict[str, Any], placeholders: Dict[str, Any]
) -> None:
    [saved] = stored(frozen_api, clock, kind, [{**item, "comment": "c"}])
    assert set(saved) == {"id", kind, "comment", "created_on", "modified_on", *placeholders}
    assert {key: saved[key] for key in placeholders} == placeholders


def test_unknown_top_level_keys_of_an_item_are_ignored(frozen_api: Api, clock: FakeClock) -> None:
    [saved] = stored(frozen_api, clock, "ip", [{"ip": "10.0.0.1", "id": "x", "created_on": "y"}])
    assert saved["id"] != "x"


def test_a_null_comment_is_no_comment(frozen_api: Api, clock: FakeClock) -> None:
    [saved] = stored(frozen_api, clock, "ip", [{"ip": "10.0.0.1", "comment": None}])
    assert "comment" not in saved


def test_get_one_item_and_unknown_item_is_404(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1", "comment": "c"}]), clock)
    [item] = frozen_api.items(list_id)
    response = frozen_api.request("GET", f"/{list_id}/items/{item['id']}")
    assert response.status_code == 200
    assert response.json()["result"] == item
    missing = frozen_api.request("GET", f"/{list_id}/items/{'0' * 32}")
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"code": 10006, "message": "list item not found"}]


# ---------------------------------------------------------------------------------------------- reading
@pytest.mark.parametrize(
    ("kind", "values", "ordered"),
    [
        (
            "ip",
            ["2001:db8::/32", "10.0.0.0/8", "9.0.0.0", "10.0.0.0/16", "::1", "10.0.0.1"],
            ["9.0.0.0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.1", "::1", "2001:db8::/32"],
        ),
        ("asn", [13335, 2, 100], [2, 100, 13335]),
    ],
)
def test_items_are_read_in_ascending_order(
    frozen_api: Api, clock: FakeClock, kind: str, values: List[Any], ordered: List[Any]
) -> None:
    assert [item[kind] for item in stored(frozen_api, clock, kind, [{kind: v} for v in values])] == ordered


def page(api: Api, list_id: str, **params: Any) -> Dict[str, Any]:
    response = api.request("GET", f"/{list_id}/items", params=params)
    assert response.status_code == 200, response.text
    body: Dict[str, Any] = response.json()
    return body


def test_items_paginate_with_cursors(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    values = [f"10.0.0.{n}" for n in range(1, 6)]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": value} for value in values]), clock)
    seen: List[str] = []
    params: Dict[str, Any] = {"per_page": 2}
    pages = 0
    while True:
        body = page(frozen_api, list_id, **params)
        pages += 1
        seen += [item["ip"] for item in body["result"]]
        cursors = body["result_info"]["cursors"]
        assert ("before" in cursors) == (pages > 1)
        if "after" not in cursors:
            break
        params = {"per_page": 2, "cursor": cursors["after"]}
    assert seen == values
    assert pages == 3
    back = page(frozen_api, list_id, per_page=2, cursor=cursors["before"])
    assert [item["ip"] for item in back["result"]] == values[2:4]
    first = page(frozen_api, list_id, per_page=2, cursor=back["result_info"]["cursors"]["before"])
    assert [item["ip"] for item in first["result"]] == values[:2]
    assert "before" not in first["result_info"]["cursors"]


def test_a_page_boundary_stays_put_when_items_change_between_pages(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": f"10.0.0.{n}"} for n in (2, 4, 6, 8)]), clock)
    first = page(frozen_api, list_id, per_page=2)
    assert [item["ip"] for item in first["result"]] == ["10.0.0.2", "10.0.0.4"]
    # Before the next page is read, an item is added before the boundary and one removed after it.
    doomed = frozen_api.items(list_id)[2]["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.0.1"}]), clock)
    finish(frozen_api, frozen_api.write("DELETE", list_id, {"items": [{"id": doomed}]}), clock)
    second = page(frozen_api, list_id, per_page=2, cursor=first["result_info"]["cursors"]["after"])
    assert [item["ip"] for item in second["result"]] == ["10.0.0.8"]


def test_items_default_page_is_25_and_the_largest_500(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    body = [{"ip": f"10.0.{n // 256}.{n % 256}"} for n in range(501)]
    finish(frozen_api, frozen_api.write("POST", list_id, body), clock)
    default = page(frozen_api, list_id)
    assert len(default["result"]) == 25
    assert "after" in default["result_info"]["cursors"]
    largest = page(frozen_api, list_id, per_page=500)
    assert len(largest["result"]) == 500
    rest = page(frozen_api, list_id, per_page=500, cursor=largest["result_info"]["cursors"]["after"])
    assert [item["ip"] for item in rest["result"]] == ["10.0.1.244"]
    assert "after" not in rest["result_info"]["cursors"]


def test_an_empty_list_has_no_cursors(frozen_api: Api) -> None:
    list_id = frozen_api.create_list()["id"]
    assert page(frozen_api, list_id) == {
        "success": True,
        "errors": [],
        "messages": [],
        "result": [],
        "result_info": {"cursors": {}},
    }


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 0},
        {"per_page": 501},
        {"per_page": "x"},
        {"per_page": ""},
        {"per_page": "-1"},
        {"per_page": "+5"},
        {"per_page": " 5"},
        {"per_page": "5.0"},
        {"per_page": "\u00b2"},  # SUPERSCRIPT TWO: str.isdigit() says yes, int() says no
        {"per_page": "\u0665"},  # ARABIC-INDIC DIGIT FIVE: int() reads it as 5
        {"per_page": "9" * 5000},
        {"cursor": "bogus"},
        {"cursor": ""},
        {"cursor": "\u0661\u0662"},
        {"cursor": _cursor(["emu1", "ip", "a", 4, "\u0661", 32])},
        {"cursor": _cursor(["emu1", "ip", "a", 4, 1, True])},
        {"cursor": _cursor(["emu1", "ip", "a", 5, 1, 32])},
        {"cursor": _cursor(["emu1", "asn", "a", 5])},  # a cursor for another kind of list
        {"cursor": _cursor(["emu1", "ip", "x", 4, 1, 32])},
        {"cursor": _cursor({"emu1": 1})},
        {"cursor": _cursor([[[[[]]]]])},
        {"cursor": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
        {"cursor": "A" * 5000},
        {"cursor": "%%%"},
    ],
)
def test_invalid_per_page_or_cursor_is_400(frozen_api: Api, params: Dict[str, Any]) -> None:
    list_id = frozen_api.create_list()["id"]
    response = frozen_api.request("GET", f"/{list_id}/items", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 10001


@pytest.mark.parametrize(
    ("kind", "items", "search", "expected"),
    [
        ("ip", [{"ip": "10.0.0.1"}, {"ip": "110.0.0.1"}, {"ip": "10.1.0.0/16"}], "10.", ["10.0.0.1", "10.1.0.0/16"]),
        ("asn", [{"asn": 13335}, {"asn": 133}], "133", [133]),
        ("asn", [{"asn": 13335}, {"asn": 133}], "13335", [13335]),
        ("asn", [{"asn": 13335}], "AS13335", []),
        (
            "ip",
            [{"ip": "2001:db8::1"}, {"ip": "2001:db8::/32"}, {"ip": "2001:db9::1"}],
            "2001:db8::",
            ["2001:db8::/32", "2001:db8::1"],
        ),
        (
            "redirect",
            [
                {"redirect": {"source_url": "a.example.com/x", "target_url": "https://b.example.com/"}},
                {"redirect": {"source_url": "c.example.net/", "target_url": "https://d.example.net/"}},
            ],
            "example.net/",
            ["c.example.net/"],
        ),
        (
            "hostname",
            [{"hostname": {"url_hostname": "api.example.com"}}, {"hostname": {"url_hostname": "example.org"}}],
            "example.com",
            [{"url_hostname": "api.example.com"}],
        ),
        (
            "redirect",
            [
                {"redirect": {"source_url": "a.example.com/x", "target_url": "https://b.example.com/"}},
                {"redirect": {"source_url": "c.example.net/", "target_url": "https://d.example.net/"}},
            ],
            "b.example",
            ["a.example.com/x"],
        ),
    ],
)
def test_items_search_follows_the_reference_per_kind(
    frozen_api: Api, clock: FakeClock, kind: str, items: List[Any], search: str, expected: List[Any]
) -> None:
    list_id = frozen_api.create_list(kind=kind)["id"]
    finish(frozen_api, frozen_api.write("POST", list_id, items), clock)
    found = [item[kind] for item in frozen_api.items(list_id, search=search)]
    if kind == "redirect":
        found = [value["source_url"] for value in found]
    assert found == expected


def test_search_pages_with_cursors(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    values = ["10.0.0.1", "11.0.0.1", "10.0.0.2", "10.0.0.3"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": value} for value in values]), clock)
    first = page(frozen_api, list_id, per_page=2, search="10.")
    second = page(frozen_api, list_id, per_page=2, search="10.", cursor=first["result_info"]["cursors"]["after"])
    assert [item["ip"] for item in first["result"] + second["result"]] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert "after" not in second["result_info"]["cursors"]


def test_an_ip_search_is_a_prefix_match_read_in_address_order_not_text_order(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    values = ["10.0.0.10", "10.0.0.2", "10.0.0.1", "10.0.0.100", "110.0.0.1", "10.0.0.0/24", "9.10.0.0"]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": value} for value in values]), clock)
    assert [item["ip"] for item in frozen_api.items(list_id, search="10.0.0.1")] == [
        "10.0.0.1",
        "10.0.0.10",
        "10.0.0.100",
    ]
    assert [item["ip"] for item in frozen_api.items(list_id, search="10.0.0.")] == [
        "10.0.0.0/24",
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.10",
        "10.0.0.100",
    ]
    nothing = page(frozen_api, list_id, search="10.0.0.3")
    assert nothing["result"] == [] and nothing["result_info"]["cursors"] == {}


def test_a_search_pages_through_many_matches_and_sees_the_latest_write(frozen_api: Api, clock: FakeClock) -> None:
    list_id = frozen_api.create_list()["id"]
    wanted = [f"10.0.{index // 250}.{index % 250}" for index in range(1_200)]
    others = [f"11.0.{index // 250}.{index % 250}" for index in range(300)]
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": value} for value in others + wanted]), clock)
    found: List[str] = []
    pages = 0
    params: Dict[str, Any] = {"per_page": 500, "search": "10.0."}
    while True:
        body = page(frozen_api, list_id, **params)
        found += [item["ip"] for item in body["result"]]
        pages += 1
        if "after" not in body["result_info"]["cursors"]:
            break
        params["cursor"] = body["result_info"]["cursors"]["after"]
    assert (found, pages) == (wanted, 3)
    finish(frozen_api, frozen_api.write("POST", list_id, [{"ip": "10.0.9.9"}]), clock)
    assert [item["ip"] for item in frozen_api.items(list_id, search="10.0.9.")] == ["10.0.9.9"]
