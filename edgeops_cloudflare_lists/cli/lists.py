"""``lists`` and ``items``: what the account's lists are, and what one list holds."""

from __future__ import annotations

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import sorted_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    list_lists,
    read_items,
    resolve_list,
)

from .invocation import Invocation
from .output import EXIT_OK, print_json


def lists(client: CloudflareClient, run: Invocation) -> int:
    print_json([facts.to_dict() for facts in list_lists(client, run.account_id)], run.stdout)
    return EXIT_OK


def items(client: CloudflareClient, run: Invocation) -> int:
    facts = resolve_list(client, run.account_id, run.positionals["list"])
    print_json([item.to_dict() for item in sorted_items(read_items(client, run.account_id, facts))], run.stdout)
    return EXIT_OK
