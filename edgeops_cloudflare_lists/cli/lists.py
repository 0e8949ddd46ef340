"""The lists themselves: ``lists`` and ``items`` read them; ``create``, ``update`` and ``delete`` keep them.

The writes print the list document (``documents.list_document``).
"""

from __future__ import annotations

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import NotFoundError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import sorted_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    list_lists,
    looks_like_list_id,
    read_items,
    resolve_list,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    ListOutcome,
    SyncOptions,
    call_deadline,
    sync_list,
    update_list,
)

from .documents import list_document
from .invocation import Invocation
from .output import EXIT_OK, print_json


def lists(client: CloudflareClient, run: Invocation) -> int:
    deadline = call_deadline(client, run.args.timeout)
    print_json([facts.to_dict() for facts in list_lists(client, run.account_id, deadline=deadline)], run.stdout)
    return EXIT_OK


def items(client: CloudflareClient, run: Invocation) -> int:
    deadline = call_deadline(client, run.args.timeout)  # every page of the read, and its retries, end by then
    facts = resolve_list(client, run.account_id, run.positionals["list"], deadline=deadline)
    found = read_items(client, run.account_id, facts, deadline=deadline)
    print_json([item.to_dict() for item in sorted_items(found)], run.stdout)
    return EXIT_OK


def create(client: CloudflareClient, run: Invocation) -> int:
    args = run.args
    outcome = sync_list(
        client,
        run.account_id,
        run.positionals["name"],
        kind=args.kind,
        description=args.description,
        options=_options(run),
        deadline=call_deadline(client, args.timeout),
    )
    return _print_outcome(run, outcome)


def update(client: CloudflareClient, run: Invocation) -> int:
    deadline = call_deadline(client, run.args.timeout)  # the read of the list, and the write after it
    facts = resolve_list(client, run.account_id, run.positionals["list"], deadline=deadline)
    outcome = update_list(
        client, run.account_id, facts, description=run.args.description, options=_options(run), deadline=deadline
    )
    return _print_outcome(run, outcome)


def delete(client: CloudflareClient, run: Invocation) -> int:
    """A list already gone, by name or by id, is no change, as a module's state absent is."""
    deadline = call_deadline(client, run.args.timeout)  # the id's read, and the delete after it
    name = run.positionals["list"]
    if looks_like_list_id(name):
        try:
            name = resolve_list(client, run.account_id, name, deadline=deadline).name
        except NotFoundError:
            return _print_outcome(run, ListOutcome(list=None, changed=False))
    outcome = sync_list(client, run.account_id, name, state="absent", options=_options(run), deadline=deadline)
    return _print_outcome(run, outcome)


def _options(run: Invocation) -> SyncOptions:
    return SyncOptions.of(check_mode=run.args.dry_run, policy=run.wait_policy())


def _print_outcome(run: Invocation, outcome: ListOutcome) -> int:
    reference = run.positionals.get("list") or run.positionals.get("name")
    print_json(list_document(run.args, outcome, reference=reference), run.stdout)
    return EXIT_OK
