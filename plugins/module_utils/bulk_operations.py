# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk operations, for every adapter: which operations a caller means, a check of one, a wait for one or for all.

- ``resolve_operation`` and ``resolve_operations``: the operations named by an account and an id, or by entries
  (ids, ``ACCOUNT:OPERATION`` text, objects, or what a write returned), the account falling back on the one given,
  then ``CLOUDFLARE_ACCOUNT_ID``; validated before any request.
- ``get_bulk_operation``: one check, any status. ``wait_for_bulk_operation``: until it finishes.
- ``wait_for_all``: several at once under one deadline (``batch.wait_for_many``), in the order given; any that did
  not complete is a ``BatchWaitError`` that holds every outcome.
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import (
    COMPLETED,
    BatchResult,
    OperationRef,
    operation_refs,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import BatchWaitError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_ids,
    validate_operation_id,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    WaitOutcome,
    WaitPolicy,
    WaitProgress,
    wait_until_finished,
)

# How many unfinished operations a BatchWaitError's message names.
NAMED_IN_MESSAGE = 3


def resolve_operation(
    account_id: Optional[str], operation_id: Any, environ: Optional[Mapping[str, str]] = None
) -> OperationRef:
    """One operation: ``account_id`` (else ``CLOUDFLARE_ACCOUNT_ID``) and ``operation_id``, validated."""
    return OperationRef(resolve_account_id(account_id, environ), validate_operation_id(operation_id))


def resolve_operations(
    entries: Sequence[Any],
    account_id: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
    *,
    parameter: str = "operations",
) -> List[OperationRef]:
    """The operations ``entries`` name (see ``batch.operation_refs``), each once, in order. An entry that names no
    account is in ``account_id``, else ``CLOUDFLARE_ACCOUNT_ID``, which must then be set."""
    return operation_refs(entries, lambda: resolve_account_id(account_id, environ), parameter=parameter)


def get_bulk_operation(
    client: CloudflareClient, account_id: str, operation_id: str, *, timeout: Optional[float] = None
) -> BulkOperationFacts:
    """Check once and report any status; with ``timeout``, the check and its retries end within that long."""
    deadline = client.clock() + timeout if timeout is not None else None
    return client.get_bulk_operation(account_id, operation_id, deadline=deadline)


def wait_for_bulk_operation(
    client: CloudflareClient,
    account_id: str,
    operation_id: str,
    policy: Optional[WaitPolicy] = None,
    on_progress: Optional[Callable[[WaitProgress], None]] = None,
) -> WaitOutcome:
    """Wait until the operation completes. Raises ``OperationFailedError`` or ``WaitTimeoutError``."""
    account_id, operation_id = validate_ids(account_id, operation_id)
    return wait_until_finished(
        lambda deadline: client.get_bulk_operation(account_id, operation_id, deadline=deadline),
        policy or WaitPolicy(),
        clock=client.clock,
        sleep=client.sleep,
        rng=client.rng,
        on_progress=on_progress,
    )


def wait_for_all(
    client: CloudflareClient, refs: Sequence[OperationRef], policy: Optional[WaitPolicy] = None
) -> List[BatchResult]:
    """Wait for every operation under one deadline; their results in the order of ``refs``.

    Raises ``BatchWaitError`` (with every result) when any did not complete.
    """
    results = wait_for_many(client, refs, policy)
    position = {ref: index for index, ref in enumerate(refs)}
    results.sort(key=lambda result: position[result.ref])
    unfinished = [result for result in results if result.outcome != COMPLETED]
    if unfinished:
        named = "; ".join(str(result.error or result.outcome) for result in unfinished[:NAMED_IN_MESSAGE])
        raise BatchWaitError(
            "{} of {} bulk operations did not complete: {}{}".format(
                len(unfinished), len(results), named, "; ..." if len(unfinished) > NAMED_IN_MESSAGE else ""
            ),
            results=[result.to_dict() for result in results],
        )
    return results
