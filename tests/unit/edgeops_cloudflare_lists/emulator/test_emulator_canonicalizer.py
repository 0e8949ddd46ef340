"""The emulator's canonicalizer as a pure function (``items.validate_item``): total over JSON values, canonical
forms that are fixed points, and the same IP forms as the rule Cloudflare is seen to follow.

These are the properties a differential test against the client's canonicalizer relies on.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgeops_cloudflare_lists.emulator import ItemError, ValidItem, canonical_item, validate_item
from edgeops_cloudflare_lists.emulator.items import KINDS, duplicate_keys, redirect_defaults, sort_key

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Any value json.loads can return (NaN and Infinity are refused before items are looked at).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)

field_names = st.sampled_from([*KINDS, "comment", "url_hostname", "exclude_exact_hostname", "source_url", "x"])
# Items that get past the first checks more often than arbitrary JSON does.
near_items = st.dictionaries(field_names, json_values, max_size=4) | st.builds(
    lambda kind, value, comment: {kind: value, "comment": comment},
    st.sampled_from(KINDS),
    json_values | st.text(alphabet="0123456789abcdef:./*-ABCDEF", max_size=30),
    st.none() | st.text(max_size=5),
)

labels = st.text(alphabet="abcXYZ019-", min_size=1, max_size=6)
hosts = st.builds(lambda parts: ".".join(parts), st.lists(labels, min_size=1, max_size=3))
flags = st.dictionaries(
    st.sampled_from(["include_subdomains", "subpath_matching", "preserve_query_string", "preserve_path_suffix"]),
    st.booleans(),
)
plausible_items = st.one_of(
    st.builds(
        lambda wild, host, exclude: {
            "hostname": {
                "url_hostname": wild + host,
                **({} if exclude is None else {"exclude_exact_hostname": exclude}),
            }
        },
        st.sampled_from(["", "*."]),
        hosts,
        st.none() | st.booleans(),
    ),
    st.builds(
        lambda scheme, host, rest, target, options: {
            "redirect": {"source_url": scheme + host + rest, "target_url": "https://" + target, **options}
        },
        st.sampled_from(["", "http://", "HTTPS://"]),
        hosts,
        st.sampled_from(["", "/", "/a/B", "?q=1", ":8080", ":8080/x", "#f"]),
        hosts,
        flags | st.fixed_dictionaries({"status_code": st.sampled_from([301, 302, 307, 308, 303])}),
    ),
    st.builds(lambda asn: {"asn": asn}, st.integers(-1, 2**32)),
)

ipv4_networks = st.builds(
    lambda address, prefix: ipaddress.ip_network((address, prefix), strict=False),
    st.integers(0, 2**32 - 1),
    st.integers(8, 32),
)
ipv6_networks = st.builds(
    lambda address, prefix: ipaddress.ip_network((address, prefix), strict=False),
    st.integers(0, 2**128 - 1),
    st.integers(12, 128),
)


ip_items = st.builds(lambda network: {"ip": str(network)}, ipv4_networks | ipv6_networks)


@FUZZ
@given(kind=st.sampled_from(KINDS), raw=json_values | near_items | plausible_items, index=st.integers(0, 10_000))
def test_validate_item_raises_only_item_error_for_any_json_value(kind: str, raw: Any, index: int) -> None:
    try:
        item = validate_item(kind, raw, index)
    except ItemError as exc:
        assert str(exc).startswith(f"invalid list item at index {index}:")
        assert len(str(exc)) < 400  # values are quoted cut short
        return
    assert isinstance(item, ValidItem)
    json.dumps(item.to_json())


@FUZZ
@given(kind=st.sampled_from(KINDS), raw=near_items | plausible_items | ip_items)
def test_the_canonical_form_is_a_fixed_point(kind: str, raw: Any) -> None:
    try:
        canonical = canonical_item(kind, raw)
    except ItemError:
        return
    assert canonical_item(kind, canonical) == canonical
    assert validate_item(kind, canonical, 0).key == validate_item(kind, raw, 0).key
    sort_key(kind, canonical[kind])


@FUZZ
@given(network=ipv4_networks | ipv6_networks, host_bits=st.integers(0, 2**128 - 1), upper=st.booleans())
def test_ip_canonical_form_is_ip_network_strict_false_bare_at_full_length(
    network: Any, host_bits: int, upper: bool
) -> None:
    # A value inside the network with some host bits set, written with its prefix, maybe in upper case.
    host = network.network_address + (host_bits % network.num_addresses)
    text = f"{host}/{network.prefixlen}"
    expected = str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    assert canonical_item("ip", {"ip": text.upper() if upper else text}) == {"ip": expected}


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("1.2.3.4/32", "1.2.3.4"),
        ("192.168.1.5/24", "192.168.1.0/24"),
        ("::1/128", "::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("0f::", "f::"),
    ],
)
def test_the_documented_ip_examples(given: str, canonical: str) -> None:
    assert canonical_item("ip", {"ip": given}) == {"ip": canonical}


def test_hostname_defaults_apply_to_wildcards_only() -> None:
    assert canonical_item("hostname", {"hostname": {"url_hostname": "*.A.com"}}) == {
        "hostname": {"url_hostname": "*.a.com", "exclude_exact_hostname": True}
    }
    assert canonical_item("hostname", {"hostname": {"url_hostname": "A.com"}}) == {
        "hostname": {"url_hostname": "a.com"}
    }


def test_redirect_fields_left_out_get_the_documented_defaults_and_an_empty_path_gets_a_slash() -> None:
    assert canonical_item("redirect", {"redirect": {"source_url": "a.com", "target_url": "https://b.com"}}) == {
        "redirect": {
            "source_url": "a.com/",
            "target_url": "https://b.com",
            "include_subdomains": False,
            "subpath_matching": False,
            "preserve_query_string": False,
            "preserve_path_suffix": True,  # the "URL redirect parameters" page; the 2024 schema says false
            "status_code": 301,
        }
    }


def test_the_preserve_path_suffix_default_is_configurable_and_a_given_value_wins() -> None:
    schema = redirect_defaults(preserve_path_suffix=False)
    left_out = {"redirect": {"source_url": "a.com/", "target_url": "https://b.com", "preserve_path_suffix": None}}
    assert canonical_item("redirect", left_out, defaults=schema)["redirect"]["preserve_path_suffix"] is False
    given = {"redirect": {"source_url": "a.com/", "target_url": "https://b.com", "preserve_path_suffix": True}}
    assert canonical_item("redirect", given, defaults=schema)["redirect"]["preserve_path_suffix"] is True
    given["redirect"]["preserve_path_suffix"] = False
    assert canonical_item("redirect", given)["redirect"]["preserve_path_suffix"] is False


def test_comment_is_kept_and_null_is_none() -> None:
    assert canonical_item("asn", {"asn": 1, "comment": "x"}) == {"asn": 1, "comment": "x"}
    assert canonical_item("asn", {"asn": 1, "comment": None}) == {"asn": 1}


def test_an_unknown_kind_is_an_item_error() -> None:
    with pytest.raises(ItemError, match="unknown list kind"):
        validate_item("url", {"url": "x"}, 0)


def test_huge_and_nested_values_are_named_not_shown() -> None:
    with pytest.raises(ItemError) as huge:
        validate_item("asn", {"asn": 10**5000}, 0)
    assert "a very large integer" in str(huge.value)
    nested: Any = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(ItemError) as deep:
        validate_item("ip", {"ip": nested}, 0)
    assert "an array" in str(deep.value)


def test_duplicate_keys_names_the_first_pair() -> None:
    items = [(index, validate_item("ip", {"ip": ip}, index)) for index, ip in enumerate(["1.2.3.4", "::1", "::1/128"])]
    assert duplicate_keys(items) == (1, 2, "::1")
    assert duplicate_keys(items[:2]) is None
