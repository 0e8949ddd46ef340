"""Pulumi support for Cloudflare Rules Lists bulk operations: wait on one as a resource, or read its facts.

    import pulumi
    from pulumi_provider import BulkOperation

    op = BulkOperation("allowlist-update", account_id=account_id, operation_id=operation_id, wait_timeout=600)
    pulumi.export("status", op.status)

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

__all__ = [
    "BulkOperation",
    "BulkOperationArgs",
    "BulkOperationProvider",
    "BulkOperationResult",
    "get_bulk_operation",
    "get_bulk_operation_output",
]
