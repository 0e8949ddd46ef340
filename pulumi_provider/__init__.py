"""Pulumi resources for Cloudflare Rules Lists: a list and its items, items owned apart, and bulk operations.

    import pulumi
    from pulumi_provider import ListItems, RulesList

    blocklist = RulesList("blocklist", account_id=account_id, name="blocklist", kind="ip",
                          items=["192.0.2.1", {"ip": "198.51.100.0/24", "comment": "scanner"}])
    pulumi.export("list_id", blocklist.list_id)

Credentials come from the stack config (``cloudflare:apiToken``, or ``cloudflare:email`` with
``cloudflare:apiKey``; ``cloudflare:baseUrl``) or the ``CLOUDFLARE_*`` environment variables, never from inputs.
"""

try:
    import pulumi  # noqa: F401
except ImportError as exc:  # Pulumi is an optional extra of this distribution.
    raise ImportError(
        f"pulumi_provider needs the Pulumi Python SDK, which is not installed ({exc}). "
        "Install it with: pip install 'edgeops-cloudflare-lists[pulumi]'"
    ) from exc

from pulumi_provider.bulk_operation import (
    BulkOperation,
    BulkOperationArgs,
    BulkOperationProvider,
    BulkOperationResult,
    get_bulk_operation,
    get_bulk_operation_output,
)
from pulumi_provider.list_items import ListItems, ListItemsArgs, ListItemsProvider
from pulumi_provider.rules_list import RulesList, RulesListArgs, RulesListProvider
from pulumi_provider.server_errors import install_in_provider_server

install_in_provider_server()  # in the engine's provider process: errors shown as their message, not a traceback

__all__ = [
    "BulkOperation",
    "BulkOperationArgs",
    "BulkOperationProvider",
    "BulkOperationResult",
    "ListItems",
    "ListItemsArgs",
    "ListItemsProvider",
    "RulesList",
    "RulesListArgs",
    "RulesListProvider",
    "get_bulk_operation",
    "get_bulk_operation_output",
]
