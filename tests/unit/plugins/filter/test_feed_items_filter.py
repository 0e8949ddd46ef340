"""The feed_items filter: a feed's items as the modules take them; with a kind, every bad line named at once."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.edgeops.cloudflare_lists.plugins.filter.feeds import FilterModule, feed_items

FEED = "# blocklist\n; from the feed\n\n1.2.3.4\nnot-an-ip ; x\n10.0.0.0/7\n"


def test_with_a_kind_the_filter_names_every_bad_line_and_no_index() -> None:
    with pytest.raises(AnsibleFilterError) as info:
        feed_items(FEED, "ip")
    message = str(info.value)
    assert "its input has 2 bad lines: line 5: 'not-an-ip' is not an IP address or CIDR range; line 6:" in message
    assert "items[" not in message


def test_a_list_of_lines_is_numbered_as_the_feed_it_joins() -> None:
    with pytest.raises(AnsibleFilterError) as info:
        feed_items(FEED.splitlines(), "ip")
    assert "line 5: 'not-an-ip'" in str(info.value) and "line 6: '10.0.0.0/7'" in str(info.value)


def test_good_items_come_back_as_written_with_their_comments() -> None:
    assert feed_items("1.2.3.4\n10.0.0.0/8 ; SBL1\n", "ip") == ["1.2.3.4", {"ip": "10.0.0.0/8", "comment": "SBL1"}]


def test_without_a_kind_the_items_are_left_for_the_module_to_check() -> None:
    assert feed_items(FEED) == ["1.2.3.4", {"hostname": "not-an-ip", "comment": "x"}, "10.0.0.0/7"]


def test_an_unknown_kind_and_a_non_text_input_are_refused() -> None:
    with pytest.raises(AnsibleFilterError, match="kind"):
        feed_items(FEED, "ipv4")
    with pytest.raises(AnsibleFilterError, match="got int"):
        feed_items(42)
    assert FilterModule().filters() == {"feed_items": feed_items}
