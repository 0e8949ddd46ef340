"""A Cloudflare IP list as code: the list, the addresses the security team owns, and a scanner feed's.

    pulumi config set --secret cloudflare:apiToken <token>   # or export CLOUDFLARE_API_TOKEN
    export CLOUDFLARE_ACCOUNT_ID=<account id>                 # or: pulumi config set accountId <account id>
    pulumi up

Each ``ListItems`` owns only its own items, so the two never undo each other, and whatever else is in the list
stays. Items are compared as Cloudflare stores them: ``198.51.100.7/32`` below is stored as ``198.51.100.7``, and
the next ``pulumi up`` shows no change. Set ``scannerFeed`` (a JSON list) to change the feed's items.
"""

import pulumi

from pulumi_provider import ListItems, RulesList

config = pulumi.Config()
account_id = config.get("accountId")  # None: CLOUDFLARE_ACCOUNT_ID

blocklist = RulesList(
    "blocklist",
    account_id=account_id,
    name=config.get("listName") or "edge_blocklist",
    kind="ip",
    description="Blocked at the edge by the rule that uses $edge_blocklist.",
)

security = ListItems(
    "security-team",
    account_id=account_id,
    list_id=blocklist.list_id,
    items=[
        {"ip": "192.0.2.0/24", "comment": "abuse report 1412"},
        "198.51.100.7/32",
        {"ip": "2001:DB8::BAD", "comment": "credential stuffing"},
    ],
)

feed = ListItems(
    "scanner-feed",
    account_id=account_id,
    list_id=blocklist.list_id,
    items=config.get_object("scannerFeed") or ["203.0.113.10", "203.0.113.11"],
)

pulumi.export("list_id", blocklist.list_id)
pulumi.export("security_items", security.items)
pulumi.export("feed_items", feed.items)
pulumi.export("feed_last_write", feed.bulk_operation)
