"""``sync`` and ``apply``: one plan, written as its difference (see the core's ``sync.py``); the outcome as the sync
document (``documents.sync_document``), the plan in words on stderr. ``sync --plan-out`` saves the plan instead,
and ``apply`` writes exactly a saved plan (see the core's ``saved_plans.py``)."""

from __future__ import annotations

import json
from typing import List, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ABSENT,
    EXACT,
    PRESENT,
    ItemsPlan,
    ListItem,
    parse_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import find_list
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import PartialOutcome
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import (
    SavedPlan,
    fingerprint,
    refuse_created_since,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    ItemsOutcome,
    SyncOptions,
    call_deadline,
    sync_items,
)

from .documents import sync_document
from .files import write_json_file
from .invocation import Invocation
from .output import EXIT_CHANGES, EXIT_OK, print_json, say_lines
from .progress import wants_progress

MAX_PLAN_LINES = 20


def sync(client: CloudflareClient, run: Invocation) -> int:
    args = run.args
    assert run.items is not None
    reference = run.positionals["list"]
    mode = ABSENT if args.remove_only else PRESENT if args.keep_others else EXACT
    if args.plan_out:
        args.dry_run = True  # a saved plan is a plan: nothing is written now
    facts, outcome = sync_items(
        client,
        run.account_id,
        reference,
        run.items,
        mode,
        kind=args.kind,
        options=SyncOptions.of(
            check_mode=args.dry_run,
            policy=run.wait_policy(),
            allow_empty=args.allow_empty,
            max_removals=args.max_removals,
            on_progress=run.on_progress,
            on_step=run.on_step,
        ),
        deadline=call_deadline(client, args.timeout),
    )
    if args.plan_out:
        kind = facts.kind if facts is not None else args.kind
        saved = SavedPlan(
            account_id=run.account_id,
            list_id=facts.id if facts is not None else None,
            list_name=facts.name if facts is not None else reference,
            kind=kind,
            mode=mode,
            items=[item.to_dict() for item in parse_items(kind, run.items)],
            fingerprint=fingerprint(outcome.plan.before),
            plan=outcome.plan.to_dict(),
            allow_empty=args.allow_empty,
            max_removals=args.max_removals,
        )
        write_json_file(args.plan_out, saved.to_dict(), "--plan-out")
    return _report(run, reference, facts, outcome)


def apply(client: CloudflareClient, run: Invocation) -> int:
    saved = run.saved_plan
    assert saved is not None
    reference = saved.list_id or saved.list_name
    deadline = call_deadline(client, run.args.timeout)  # the check below, and the sync after it
    if saved.list_id is None:  # the plan creates the list: one made meanwhile is another list
        refuse_created_since(find_list(client, saved.account_id, saved.list_name, deadline=deadline), saved.list_name)
    facts, outcome = sync_items(
        client,
        saved.account_id,
        reference,
        saved.items,
        saved.mode,
        kind=saved.kind,
        options=SyncOptions.of(
            check_mode=run.args.dry_run,
            policy=run.wait_policy(),
            allow_empty=saved.allow_empty,
            max_removals=saved.max_removals,
            on_progress=run.on_progress,
            saved_plan=saved,
            on_step=run.on_step,
        ),
        deadline=deadline,
    )
    return _report(run, reference, facts, outcome)


def _report(run: Invocation, reference: str, facts: Optional[ListFacts], outcome: ItemsOutcome) -> int:
    args = run.args
    run.close_progress()
    if wants_progress(args, run.stderr):
        say_lines(run.stderr, plan_in_words(reference, outcome.plan, outcome.created, args.dry_run))
    print_json(sync_document(args, reference=reference, facts=facts, outcome=outcome), run.stdout)
    return EXIT_CHANGES if args.detailed_exitcode and outcome.changed else EXIT_OK


def say_failed_plan(run: Invocation, reference: Optional[str], partial: Optional[PartialOutcome]) -> None:
    """Before a failed sync's error: its plan in words, as a run that succeeds says it, if it got that far."""
    if partial is not None and partial.plan is not None and wants_progress(run.args, run.stderr):
        name = reference or (partial.list.name if partial.list is not None else "the list")
        say_lines(run.stderr, plan_in_words(name, partial.plan, partial.created, run.args.dry_run))


def plan_in_words(reference: str, items_plan: ItemsPlan, created: bool, dry_run: bool) -> List[str]:
    """The plan as lines for a person; each is neutralized when said, so an item's text stays on its line."""
    if not items_plan.changed:
        return [f"{reference}: no change ({len(items_plan.before)} items already as wanted)"]
    writes = ", then ".join(write.describe() for write in items_plan.writes)
    new = " (a new list)" if created else ""
    lines = [f"{reference}{new}: {'would ' if dry_run else ''}{items_plan.summary()}; {writes}"]
    for sign, group in (
        ("+", items_plan.add),
        ("~", [change.after for change in items_plan.update]),
        ("-", items_plan.remove),
    ):
        lines += [f"  {sign} {item_text(item)}" for item in group[:MAX_PLAN_LINES]]
        if len(group) > MAX_PLAN_LINES:
            lines.append(f"  {sign} ... and {len(group) - MAX_PLAN_LINES} more")
    return lines


def item_text(item: ListItem) -> str:
    value = item.value if item.kind in ("ip", "asn") else json.dumps(item.value, sort_keys=True)
    return f"{value}" + (f"  ({item.comment})" if item.comment else "")
