"""Wait on Cloudflare Rules Lists bulk operations.

The small public API for Python callers; the Ansible collection, the Pulumi provider and the
``cloudflare-lists`` command are built on the same functions::

    from edgeops_cloudflare_lists import open_client, wait_for_bulk_operation

    with open_client() as client:  # credentials from CLOUDFLARE_API_TOKEN, or the email + key pair
        outcome = wait_for_bulk_operation(client, account_id, operation_id)
    print(outcome.facts.to_dict())
"""

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    NotFoundError,
    OperationFailedError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.operations import (
    get_bulk_operation,
    open_client,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import VERSION as __version__
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitOutcome, WaitPolicy

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BulkOperationFacts",
    "CloudflareListsError",
    "EndpointError",
    "MalformedResponseError",
    "NotFoundError",
    "OperationFailedError",
    "RateLimitedError",
    "TransportError",
    "UnexpectedStatusError",
    "ValidationError",
    "WaitOutcome",
    "WaitPolicy",
    "WaitTimeoutError",
    "__version__",
    "get_bulk_operation",
    "open_client",
    "wait_for_bulk_operation",
]
