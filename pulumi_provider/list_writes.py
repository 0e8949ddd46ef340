"""What ``RulesList`` and ``ListItems`` share when they write: a deadline per call, one write at a time per
account, and errors a Pulumi user can act on.

- Writes to one account from this provider process queue on the core's per-account lock (held from the read of
  the items to the end of their operation), so concurrent resources never meet each other's 429.
- A 429 because another process's operation holds the account is retried (the core's retries first, then here)
  until the resource's ``wait_timeout``.
- A failed operation fails the step with Cloudflare's reason, and what became of the list.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Optional, Sequence

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    OperationFailedError,
    OperationPendingError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ListItem
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import (
    MIN_CALL_TIME,
    ItemsOutcome,
    account_write_lock,
    apply_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy

# The pause before writing again after a 429 that gave no Retry-After.
PENDING_PAUSE = 2.0
_TIMEOUT_HINT = (
    " Cloudflare applies the write once it runs: `pulumi refresh` then shows it, and `pulumi up` converges; "
    "raise wait_timeout to wait longer."
)


def deadline(client: CloudflareClient, wait_timeout: float) -> float:
    """The end of one provider call: ``wait_timeout`` from now, and never less than a minute for the requests."""
    return client.clock() + max(wait_timeout, MIN_CALL_TIME)


@contextmanager
def one_write(client: CloudflareClient, account_id: str, until: float) -> Iterator[None]:
    """Hold the account's write lock for a list write that is not a bulk operation (create, describe, delete)."""
    with account_write_lock(account_id, until, client.clock, client.sleep):
        yield


def write_items(
    client: CloudflareClient,
    account_id: str,
    facts: ListFacts,
    desired: Sequence[ListItem],
    mode: str,
    *,
    wait_timeout: float,
    until: float,
    consequence: str,
    owned_keys: Optional[Iterable[str]] = None,
) -> ItemsOutcome:
    """The core's ``apply_items`` (one bulk operation, waited on and read back), retried while another process's
    operation holds the account. ``consequence`` says what a failure leaves behind."""
    policy = WaitPolicy(timeout=wait_timeout)
    while True:
        try:
            return apply_items(
                client, account_id, facts, desired, mode, policy=policy, deadline=until, owned_keys=owned_keys
            )
        except OperationPendingError as exc:
            pause = exc.retry_after or PENDING_PAUSE
            if client.clock() + pause >= until:
                raise
            client.sleep(pause)
        except OperationFailedError as exc:
            operation = exc.facts.id if exc.facts is not None else "?"
            reason = ((exc.facts.error if exc.facts is not None else None) or "Cloudflare gave no reason").rstrip(".")
            raise OperationFailedError(
                f"Cloudflare bulk operation {operation} writing the items of list {facts.name!r} ({facts.id}, "
                f"account {account_id}) failed: {reason}. {consequence}",
                facts=exc.facts,
            ) from None
        except WaitTimeoutError as exc:
            exc.message += _TIMEOUT_HINT
            raise
