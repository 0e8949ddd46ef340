# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names that every adapter's results share, beyond the facts types' own ``to_dict``."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts, PlannedList

# Result keys that Jinja's dot notation cannot reach, since it finds the dictionary's method of that name first
# (``plan.update``, ``lists[0].items``), and the name each is also returned under.
DOT_NAMES = {"update": "change", "items": "list_items"}


def dot_names(document: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """``document`` with each value whose key shadows a dictionary method also under its ``DOT_NAMES`` name."""
    if document is None:
        return None
    result = dict(document)
    for key, name in DOT_NAMES.items():
        if key in result:
            result[name] = result[key]
    return result


def list_result(facts: Optional[ListFacts], planned: Optional[PlannedList] = None) -> Optional[Dict[str, Any]]:
    """A result's ``list``: the list's facts; in check mode, for a list still to create, the list as a real run
    would create it (``PlannedList``: the same keys, what Cloudflare assigns None); None when there is no list."""
    if facts is not None:
        return facts.to_dict()
    return planned.to_dict() if planned is not None else None
