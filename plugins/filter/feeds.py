# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The feed_items filter: feed text into items, by the same reader as the cloudflare-lists command (feed_items.yml
documents it)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.feeds import parse_feed
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import validate_kind


def feed_items(text, kind=None, comments=True):
    """The items of a feed (a text, or a list of its lines), as the modules' ``items`` take them."""
    if isinstance(text, (list, tuple)) and all(isinstance(line, str) for line in text):
        text = "\n".join(text)
    if not isinstance(text, str):
        raise AnsibleFilterError(
            f"feed_items: expected the text of a feed (or a list of its lines), got {type(text).__name__}"
        )
    try:
        if kind is not None:
            kind = validate_kind(kind)
        feed = parse_feed(
            text,
            kind=kind,
            comments=bool(comments),
            parameter="feed_items",
            source="its input",
            check_items=kind is not None,
        )
        return feed.items
    except ValidationError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"feed_items": feed_items}
