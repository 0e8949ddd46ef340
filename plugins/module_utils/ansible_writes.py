# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules that write share, beside the wrapper: their options as the core's ``SyncOptions``, and the
result keys of a write, and of a write that failed part-way. Apart from the wrapper, so the modules that only read
do not carry the write path."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_module import CloudflareListsModule
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import dot_names
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import ItemsOutcome, SyncOptions


def sync_options(module: CloudflareListsModule, allow_empty: bool = False) -> SyncOptions:
    """Check mode, the wait options and the guards (``max_removals``), as the core's write path takes them."""
    params = module.params
    return SyncOptions.of(
        check_mode=module.check_mode,
        wait=params.get("wait") is not False,
        policy=module.wait_policy(),
        allow_empty=allow_empty,
        max_removals=params.get("max_removals"),
    )


def items_result(outcome: Optional[ItemsOutcome]) -> Dict[str, Any]:
    """The result keys of a module that writes items: ``plan``, ``bulk_operation`` (the last write's facts),
    ``writes`` and ``items_written``; ``plan`` and ``bulk_operation`` are None when the items were not managed."""
    if outcome is None:
        return {"plan": None, "bulk_operation": None, "writes": [], "items_written": 0}
    summary = outcome.to_dict()
    return {
        "plan": dot_names(summary["plan"]),
        "bulk_operation": summary["operation"],
        "writes": summary["writes"],
        "items_written": summary["items_written"],
    }


def failure_result(error: CloudflareListsError) -> Dict[str, Any]:
    """A failed write's result keys beside the error's: what the task had done before it failed (the core's
    ``partial``), so a task that created the list or applied a write says ``changed`` and which list."""
    partial = error.partial
    if partial is None:
        return {}
    result: Dict[str, Any] = {
        "changed": partial.changed,
        "list": partial.list.to_dict() if partial.list is not None else None,
        "plan": dot_names(partial.plan.to_dict()) if partial.plan is not None else None,
        "writes": [write.to_dict() for write in partial.writes],
        "items_written": partial.items_written,
    }
    if error.facts is None and partial.writes:  # else the error's own facts are the last operation's
        result["bulk_operation"] = partial.writes[-1].operation.to_dict()
    return result
