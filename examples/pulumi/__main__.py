"""Wait on a Cloudflare Rules Lists bulk operation, then export its outcome.

    pulumi config set accountId 023e105f4ecef8ad9ca31a8372d0c353
    pulumi config set operationId <the operation_id a list items write returned>
    pulumi config set --secret cloudflare:apiToken <token>   # or export CLOUDFLARE_API_TOKEN
    pulumi up

``accountId`` and ``operationId`` fall back to CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_OPERATION_ID, and
``cloudflare:baseUrl`` to CLOUDFLARE_BASE_URL (e.g. the emulator's URL).
"""

import os

import pulumi

from pulumi_provider import BulkOperation

EXPORTS = ("account_id", "operation_id", "status", "finished", "succeeded", "completed_at", "error")

config = pulumi.Config()


def setting(key: str, variable: str) -> str:
    value = config.get(key) or os.environ.get(variable)
    if not value:
        raise pulumi.RunError(f"Set the operation to wait on: `pulumi config set {key} <value>`, or {variable}.")
    return value


operation = BulkOperation(
    "list-update",
    account_id=setting("accountId", "CLOUDFLARE_ACCOUNT_ID"),
    operation_id=setting("operationId", "CLOUDFLARE_OPERATION_ID"),
    wait_timeout=config.get_float("waitTimeout") or 600.0,
)

for name in EXPORTS:
    pulumi.export(name, getattr(operation, name))
