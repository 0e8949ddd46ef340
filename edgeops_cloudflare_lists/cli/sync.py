"""``sync``: one plan, written as its difference (see the core's ``sync.py``); the outcome as JSON, the plan in
words on stderr."""

from __future__ import annotations

import json
from typing import List

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ABSENT, EXACT, PRESENT, ListItem
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    ItemsOutcome,
    SyncOptions,
    sync_items,
)

from .invocation import Invocation
from .output import EXIT_OK, print_json, say_lines
from .progress import wants_progress

MAX_PLAN_LINES = 20


def sync(client: CloudflareClient, run: Invocation) -> int:
    args = run.args
    assert run.items is not None
    reference = run.positionals["list"]
    _facts, outcome = sync_items(
        client,
        run.account_id,
        reference,
        run.items,
        ABSENT if args.remove_only else PRESENT if args.keep_others else EXACT,
        kind=args.kind,
        options=SyncOptions.of(
            check_mode=args.dry_run,
            policy=run.wait_policy(),
            allow_empty=args.allow_empty,
            max_removals=args.max_removals,
            on_progress=run.progress,
        ),
    )
    run.close_progress()
    if wants_progress(args, run.stderr):
        say_lines(run.stderr, plan_in_words(reference, outcome, args.dry_run))
    print_json(outcome.to_dict(), run.stdout)
    return EXIT_OK


def plan_in_words(reference: str, outcome: ItemsOutcome, dry_run: bool) -> List[str]:
    """The plan as lines for a person; each is neutralized when said, so an item's text stays on its line."""
    items_plan = outcome.plan
    if not items_plan.changed:
        return [f"{reference}: no change ({len(items_plan.before)} items already as wanted)"]
    writes = ", then ".join(write.describe() for write in items_plan.writes)
    lines = [f"{reference}: {'would ' if dry_run else ''}{items_plan.summary()}; {writes}"]
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
