# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The calls adapters make: open a client, check an operation once, or wait for it."""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Dict, Mapping, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import (
    resolve_base_url,
    resolve_credentials,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import (
    COMPLETED,
    operation_refs,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT, CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import BatchWaitError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_ids,
    validate_number_param,
    validate_operation_id,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    WaitOutcome,
    WaitPolicy,
    WaitProgress,
    wait_until_finished,
)


def open_client(
    api_token: Optional[str] = None,
    account_email: Optional[str] = None,
    account_api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    validate_certs: bool = True,
    environ: Optional[Mapping[str, str]] = None,
    session: Optional[Any] = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Optional[random.Random] = None,
) -> CloudflareClient:
    """A client from explicit settings, with ``CLOUDFLARE_*`` environment fallbacks."""
    return CloudflareClient(
        resolve_credentials(api_token, account_email, account_api_key, environ),
        resolve_base_url(base_url, environ),
        timeout=timeout,
        validate_certs=validate_certs,
        session=session,
        clock=clock,
        sleep=sleep,
        rng=rng,
    )


def get_bulk_operation(client: CloudflareClient, account_id: str, operation_id: str) -> BulkOperationFacts:
    """Check once and report any status."""
    return client.get_bulk_operation(account_id, operation_id)


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


def bulk_operation_info(
    params: Mapping[str, Any],
    *,
    environ: Optional[Mapping[str, str]] = None,
    session: Optional[Any] = None,
) -> Dict[str, Any]:
    """The Ansible module's whole job: ``params`` named as in ``argspec``, result as the module returns it."""
    if params.get("operations") is not None:
        return _many_bulk_operations(params, environ=environ, session=session)
    account_id = resolve_account_id(params.get("account_id"), environ)
    operation_id = validate_operation_id(params.get("operation_id"))
    with _client_for(params, environ, session) as client:
        if not params.get("wait"):
            return {"bulk_operation": get_bulk_operation(client, account_id, operation_id).to_dict()}
        policy = _policy_for(params)
        outcome = wait_for_bulk_operation(client, account_id, operation_id, policy)
    return {
        "bulk_operation": outcome.facts.to_dict(),
        "checks": outcome.checks,
        "elapsed": round(outcome.elapsed, 3),
    }


def _many_bulk_operations(
    params: Mapping[str, Any], *, environ: Optional[Mapping[str, str]], session: Optional[Any]
) -> Dict[str, Any]:
    """``operations``: each checked once, or all waited on together; ``bulk_operations`` lists their outcomes."""
    # Only entries without an account fall back to account_id, then CLOUDFLARE_ACCOUNT_ID (only then must it be set).
    refs = operation_refs(params["operations"], lambda: resolve_account_id(params.get("account_id"), environ))
    if not refs:  # only writes that wrote nothing: nothing to check
        return {"bulk_operations": []}
    with _client_for(params, environ, session) as client:
        if not params.get("wait"):
            return {
                "bulk_operations": [
                    {
                        "account_id": ref.account_id,
                        "operation_id": ref.operation_id,
                        "facts": get_bulk_operation(client, ref.account_id, ref.operation_id).to_dict(),
                    }
                    for ref in refs
                ]
            }
        policy = _policy_for(params)
        results = wait_for_many(client, refs, policy)
    position = {ref: index for index, ref in enumerate(refs)}
    outcomes = [result.to_dict() for result in sorted(results, key=lambda result: position[result.ref])]
    unfinished = [result for result in results if result.outcome != COMPLETED]
    if unfinished:
        raise BatchWaitError(
            "{} of {} bulk operations did not complete: {}".format(
                len(unfinished),
                len(results),
                "; ".join(str(result.error or result.outcome) for result in unfinished[:3])
                + ("; ..." if len(unfinished) > 3 else ""),
            ),
            results=outcomes,
        )
    return {"bulk_operations": outcomes}


def _client_for(
    params: Mapping[str, Any], environ: Optional[Mapping[str, str]], session: Optional[Any]
) -> CloudflareClient:
    """A client from the module's connection options (named as in ``argspec``)."""
    return open_client(
        params.get("api_token"),
        params.get("account_email"),
        params.get("account_api_key"),
        params.get("base_url"),
        timeout=_number(params, "timeout", DEFAULT_TIMEOUT),
        validate_certs=params.get("validate_certs") is not False,
        environ=environ,
        session=session,
    )


def _policy_for(params: Mapping[str, Any]) -> WaitPolicy:
    return WaitPolicy(
        timeout=_number(params, "wait_timeout", DEFAULT_WAIT_TIMEOUT),
        max_interval=_number(params, "wait_max_interval", DEFAULT_MAX_INTERVAL),
    )


def _number(params: Mapping[str, Any], name: str, default: float) -> Any:
    """The option's value, text read as a number; the client and the wait policy check its range."""
    value = params.get(name)
    return default if value is None else validate_number_param(name, value)
