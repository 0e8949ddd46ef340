"""Differential: the core's canonicalizer and the emulator's, written apart, agree on every item.

Fed the same random items in the shape the API takes (``{kind: value, "comment": ...}``), both accept or both
refuse, and an accepted item has one canonical form. The core's form is also a fixed point of the emulator: what the
core sends is stored unchanged, so a re-read plans nothing.

The core also takes shapes users write that the wire never carries (plain values, ``"AS13335"``, hostname and
redirect fields given flat); those are left out here and tested in the core's own tests. An empty comment counts as
no comment on both sides.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import REDIRECT_OPTIONAL_FIELDS, parse_item
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgeops_cloudflare_lists.emulator.items import ItemError, canonical_item

REFUSED = "refused"

hex_group = st.text("0123456789abcdefABCDEF", min_size=1, max_size=5)
ipv4 = st.tuples(*[st.integers(0, 300)] * 4).map(lambda octets: ".".join(map(str, octets)))
ipv6 = st.lists(hex_group, min_size=2, max_size=8).map(":".join) | st.builds(
    lambda left, right: f"{left}::{right}", st.lists(hex_group, max_size=3).map(":".join), hex_group
)
prefix = st.none() | st.integers(0, 140).map(str) | st.sampled_from(["08", "255.0.0.0", "", "-1", "\u0661\u0662"])
ip_text = st.builds(lambda address, bits: address if bits is None else f"{address}/{bits}", ipv4 | ipv6, prefix)
ip_value = ip_text | st.text("0123456789abcdefABCDEF:./% \n", max_size=20) | st.integers() | st.none()

label = st.text("abcxyzABCXYZ019-\u212a", min_size=1, max_size=8)
hostname_text = st.builds(
    lambda wild, labels: ("*." if wild else "") + ".".join(labels),
    st.booleans(),
    st.lists(label, min_size=1, max_size=4),
) | st.text("abc.*-:/ ", max_size=12)
hostname_value = st.fixed_dictionaries(
    {"url_hostname": hostname_text},
    optional={"exclude_exact_hostname": st.booleans() | st.sampled_from([0, 1, "yes", None])},
)

asn_value = st.integers(-5, 2**32 + 5) | st.sampled_from([True, False, 1.0, None, [1]])

source_url = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["", "http://", "https://", "HTTPS://", "ftp://"]),
    hostname_text,
    st.sampled_from(["", ":8080", ":", ":99999", ":abc"]),
    st.sampled_from(["", "/", "/Path", "?q=1", "#frag", "/a b", "/\u202e"]),
) | st.sampled_from(["http://[::1", "[::1]/", "", "192.0.2.1/"])
target_url = st.sampled_from(
    ["https://example.net/", "http://e.net", "HTTPS://E.NET/x", "ftp://e.net/", "/relative", "https://", "http://[::1"]
)
flag = st.booleans() | st.sampled_from(["true", 0, None])
redirect_value = st.fixed_dictionaries(
    {"source_url": source_url, "target_url": target_url},
    optional={
        "include_subdomains": flag,
        "subpath_matching": flag,
        "preserve_query_string": flag,
        "preserve_path_suffix": flag,
        "status_code": st.sampled_from([301, 302, 307, 308, 200, True, "301", None]),
    },
)

comment = st.text(max_size=5) | st.sampled_from(["", "x" * 500, "x" * 501, None, 5])
VALUES = {"ip": ip_value, "hostname": hostname_value, "asn": asn_value, "redirect": redirect_value}


def wire_item(kind: str) -> st.SearchStrategy[Dict[str, Any]]:
    return st.builds(
        lambda value, note, with_note: {kind: value, **({"comment": note} if with_note else {})},
        VALUES[kind],
        comment,
        st.booleans(),
    )


any_item = st.sampled_from(sorted(VALUES)).flatmap(lambda kind: st.tuples(st.just(kind), wire_item(kind)))


def by_core(kind: str, raw: Dict[str, Any]) -> Any:
    try:
        return parse_item(kind, raw).to_dict()
    except ValidationError:
        return REFUSED


def by_emulator(kind: str, raw: Dict[str, Any]) -> Any:
    try:
        stored = canonical_item(kind, raw)
    except ItemError:
        return REFUSED
    if stored.get("comment") == "":
        del stored["comment"]
    return stored


def as_predicted(core: Any, stored: Any) -> Any:
    """What the emulator stored, less the redirect fields the core left to the server's defaults."""
    if core == REFUSED or stored == REFUSED or "redirect" not in stored:
        return stored
    left_out = set(stored["redirect"]) - set(core["redirect"])
    assert left_out <= set(REDIRECT_OPTIONAL_FIELDS)
    return {**stored, "redirect": {name: value for name, value in stored["redirect"].items() if name not in left_out}}


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_item)
def test_core_and_emulator_accept_the_same_items_in_the_same_canonical_form(case: tuple[str, Dict[str, Any]]) -> None:
    kind, raw = case
    core = by_core(kind, raw)
    assert core == as_predicted(core, by_emulator(kind, raw))


@settings(max_examples=1000, deadline=None)
@given(any_item)
def test_what_the_core_sends_the_emulator_stores_unchanged(case: tuple[str, Dict[str, Any]]) -> None:
    kind, raw = case
    sent = by_core(kind, raw)
    if sent != REFUSED:
        assert as_predicted(sent, by_emulator(kind, sent)) == sent
