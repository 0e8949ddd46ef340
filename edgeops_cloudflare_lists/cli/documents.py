"""The JSON documents the commands print: one shape per command, on every exit path (success, no change, dry run,
failure, invalid input, timeout), with the names the modules and the Pulumi resources use for the same things.

- ``sync`` and ``apply``: ``sync_document`` (``schemas/sync.schema.json``);
- ``status`` and ``wait`` (and each line of a wait on several operations): ``operation_document``
  (``schemas/operation.schema.json``);
- ``create``, ``update`` and ``delete``: ``list_document`` (``schemas/list.schema.json``);
- ``lists`` and ``items``: on success, the JSON array of the lists or the items; on failure, ``read_failure_document``
  (``schemas/lists.schema.json``, ``schemas/items.schema.json``).

``error`` is null, or ``{type, message, hint}``: the error's class (``ValidationError``, ``WaitTimeoutError``...),
the one line printed on stderr, and what to do (or null).
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Mapping, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    ERROR,
    TIMEOUT,
    outcome_of,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts, ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import looks_like_list_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import (
    PartialOutcome,
    dot_names,
    list_result,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import ItemsOutcome, ListOutcome

from .output import EXIT_TIMEOUT, one_line

LIST_KEYS = ("id", "name", "kind", "description", "num_items", "num_referencing_filters", "created_on", "modified_on")
# A single status or wait used to print the operation's facts bare: those keys stay, beside bulk_operation.
BARE_FACT_KEYS = ("id", "status", "finished", "succeeded", "completed_at")


def error_info(error: Exception, names: Mapping[str, str]) -> Dict[str, Any]:
    """``{type, message, hint}`` of an error, in the command's names (``--timeout`` for ``wait_timeout``)."""
    if isinstance(error, CloudflareListsError):
        hint = CloudflareListsError(error.hint).render(names) if error.hint else None
        return {"type": type(error).__name__, "message": one_line(error.render(names)), "hint": hint}
    return {"type": type(error).__name__, "message": one_line(str(error)), "hint": None}


def _facts(facts: Optional[BulkOperationFacts]) -> Optional[Dict[str, Any]]:
    return facts.to_dict() if facts is not None else None


def operation_document(
    *,
    account_id: Optional[str],
    operation_id: Optional[str],
    outcome: Optional[str],
    facts: Optional[BulkOperationFacts] = None,
    checks: Optional[int] = None,
    elapsed: Optional[float] = None,
    error: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """One operation: ``outcome`` is its status (``status``) or how the wait ended (``wait``): ``completed``,
    ``failed``, ``timeout`` or ``error``."""
    bulk_operation = _facts(facts)
    document: Dict[str, Any] = {
        "account_id": account_id,
        "operation_id": operation_id,
        "outcome": outcome,
        "bulk_operation": bulk_operation,
        "checks": checks,
        "elapsed": round(elapsed, 3) if elapsed is not None else None,
        "error": error,
        # Older names: a wait on several operations said facts and message.
        "facts": bulk_operation,
        "message": error["message"] if error else None,
    }
    for key in BARE_FACT_KEYS:
        document[key] = bulk_operation[key] if bulk_operation else None
    return document


def _list_entry(
    facts: Optional[ListFacts], reference: Optional[str], kind: Optional[str], outcome: Optional[ItemsOutcome] = None
) -> Dict[str, Any]:
    """The list's facts; in a dry run, for a list still to create, the list as the real run would create it; for a
    list not read (a failure first), what the command was told."""
    known = list_result(facts, outcome.planned_list if outcome is not None else None)
    if known is not None:
        return known
    entry: Dict[str, Any] = dict.fromkeys(LIST_KEYS)
    if reference:
        entry["id" if looks_like_list_id(reference) else "name"] = reference
    entry["kind"] = kind
    return entry


def sync_document(
    args: argparse.Namespace,
    *,
    reference: Optional[str],
    facts: Optional[ListFacts] = None,
    outcome: Optional[ItemsOutcome] = None,
    error: Optional[Dict[str, Any]] = None,
    operation_facts: Optional[BulkOperationFacts] = None,
    partial: Optional[PartialOutcome] = None,
) -> Dict[str, Any]:
    """What a sync did (with ``--dry-run``, would do) to a list: ``outcome`` None when it failed; then
    ``operation_facts`` are those of the failed or unfinished operation, if any, and ``partial`` what it had done
    (the list found or created, the plan, the writes sent), if it got that far."""
    partial = partial or PartialOutcome()
    items_plan = outcome.plan if outcome is not None else partial.plan
    writes = outcome.writes if outcome is not None else partial.writes
    last_write = writes[-1].operation if writes else None
    operation = _facts(outcome.operation if outcome is not None else operation_facts or last_write)
    counts: Dict[str, Optional[int]] = dict.fromkeys(("before", "after", "add", "update", "remove"))
    if items_plan is not None:
        counts = {
            "before": len(items_plan.before),
            "after": len(items_plan.after),
            "add": len(items_plan.add),
            "update": len(items_plan.update),
            "remove": len(items_plan.remove),
        }
    if outcome is not None:
        changed: Optional[bool] = outcome.changed
    else:  # a failure: true once it is known to have changed the list, else not known
        changed = True if partial.changed else None
    return {
        "changed": changed,
        "dry_run": bool(getattr(args, "dry_run", False)),
        "created": outcome.created if outcome is not None else partial.created,
        "list": _list_entry(facts or partial.list, reference, getattr(args, "kind", None), outcome),
        "counts": counts,
        "plan": dot_names(items_plan.to_dict()) if items_plan is not None else None,
        "writes": [write.to_dict() for write in writes],
        "items_written": sum(write.items for write in writes),
        "bulk_operation": operation,
        "error": error,
        # The older name of bulk_operation.
        "operation": operation,
    }


def list_document(
    args: argparse.Namespace,
    outcome: Optional[ListOutcome] = None,
    error: Optional[Dict[str, Any]] = None,
    reference: Optional[str] = None,
) -> Dict[str, Any]:
    """What ``create``, ``update`` or ``delete`` did (with ``--dry-run``, would do) to the list ``reference``: its
    facts after, or those of the list deleted; for a list still to create, the list as the real run would create it;
    for a list not read, what the command was told."""
    found = outcome.list or outcome.deleted_list if outcome is not None else None
    facts = list_result(found, outcome.planned_list if outcome is not None else None)
    if facts is None and reference:
        facts = _list_entry(None, reference, getattr(args, "kind", None))
    if facts is not None and outcome is not None and outcome.description_after is not None:
        facts["description"] = outcome.description_after  # a dry run's list as the real run leaves it
    return {
        "changed": outcome.changed if outcome is not None else None,
        "dry_run": bool(getattr(args, "dry_run", False)),
        "created": bool(outcome is not None and outcome.created),
        "deleted": bool(outcome is not None and outcome.deleted),
        "list": facts,
        "error": error,
    }


def failure_document(
    args: argparse.Namespace,
    given: Mapping[str, Optional[str]],
    error: Exception,
    names: Mapping[str, str],
    code: int,
) -> Optional[Dict[str, Any]]:
    """The document of a command that ended with ``error`` and exits ``code`` (None for a command that prints no
    document then).

    ``given``: the positionals as given (ACCOUNT_ID, LIST, OPERATION_ID), validated or not.
    """
    info = error_info(error, names)
    known = error if isinstance(error, CloudflareListsError) else None
    facts = known.facts if known is not None else None
    command = getattr(args, "command", None)
    if command in ("sync", "apply"):
        partial = known.partial if known is not None else None
        return sync_document(args, reference=given.get("list"), error=info, operation_facts=facts, partial=partial)
    if command in ("status", "wait"):
        return operation_document(
            account_id=given.get("account_id"),
            operation_id=given.get("operation_id"),
            outcome=TIMEOUT if code == EXIT_TIMEOUT else outcome_of(known) if known is not None else ERROR,
            facts=facts,
            checks=known.checks if known is not None else None,
            elapsed=known.elapsed if known is not None else None,
            error=info,
        )
    if command in ("create", "update", "delete"):
        return list_document(args, error=info, reference=given.get("list") or given.get("name"))
    if command in ("lists", "items"):
        return read_failure_document(command, given, info)
    return None


def read_failure_document(command: str, given: Mapping[str, Optional[str]], error: Dict[str, Any]) -> Dict[str, Any]:
    """A failed ``lists`` or ``items``: the account and (``items``) the list asked about, ``null`` where the array
    of lists or items would be, and the error. A success is the array itself, which has nowhere to put an error."""
    document: Dict[str, Any] = {"account_id": given.get("account_id")}
    if command == "items":
        document["list"] = _list_entry(None, given.get("list"), None)
    document[command] = None
    document["error"] = error
    return document
