"""Keep Cloudflare Rules Lists right: say what a list should hold, and get exactly that change, waited on.

The small public API for Python callers; the Ansible collection, the Pulumi provider and the
``cloudflare-lists`` command are built on the same functions::

    from edgeops_cloudflare_lists import open_client, sync_list

    with open_client() as client:  # credentials from CLOUDFLARE_API_TOKEN, or the email + key pair
        outcome = sync_list(client, account_id, "blocklist", kind="ip", items=["192.0.2.1", "198.51.100.0/24"])
    print(outcome.changed, outcome.items.plan.to_dict())
"""

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    get_bulk_operation,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthenticationError,
    CloudflareListsError,
    ConflictError,
    EndpointError,
    GuardError,
    ItemsValidationError,
    MalformedResponseError,
    NotFoundError,
    OperationFailedError,
    OperationPendingError,
    QuotaExceededError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
    ValidationError,
    VerificationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts, ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ItemsPlan,
    ListItem,
    parse_items,
    plan,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    find_list,
    list_lists,
    read_items,
    resolve_list,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    ItemsOutcome,
    ListOutcome,
    SyncOptions,
    apply_items,
    sync_items,
    sync_list,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import VERSION as __version__
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitOutcome, WaitPolicy

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "AuthenticationError",
    "BulkOperationFacts",
    "CloudflareListsError",
    "ConflictError",
    "EndpointError",
    "GuardError",
    "ItemsOutcome",
    "ItemsPlan",
    "ItemsValidationError",
    "ListFacts",
    "ListItem",
    "ListOutcome",
    "MalformedResponseError",
    "NotFoundError",
    "OperationFailedError",
    "OperationPendingError",
    "QuotaExceededError",
    "RateLimitedError",
    "SyncOptions",
    "TransportError",
    "UnexpectedStatusError",
    "ValidationError",
    "VerificationError",
    "WaitOutcome",
    "WaitPolicy",
    "WaitTimeoutError",
    "__version__",
    "apply_items",
    "find_list",
    "get_bulk_operation",
    "list_lists",
    "open_client",
    "parse_items",
    "plan",
    "read_items",
    "resolve_list",
    "sync_items",
    "sync_list",
    "wait_for_bulk_operation",
]
