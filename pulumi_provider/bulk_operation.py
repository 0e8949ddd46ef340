"""``BulkOperation``: a Pulumi dynamic resource that waits on a Cloudflare Rules Lists bulk operation.

A list items write (append, replace, delete) answers at once with an ``operation_id``; Cloudflare applies it
later. This resource waits until the operation has finished and records the outcome as flat outputs, so
dependent resources start only once the list is really up to date.

The provider is pickled (by reference, with dill) into every resource's state, and refresh and destroy
unpickle it without running the program: ``pulumi_provider.bulk_operation.BulkOperationProvider`` is a
stable import path and must not move.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, TypedDict

import pulumi
import pulumi.runtime
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import bulk_operations
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    NotFoundError,
    OperationFailedError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import FAILED, BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from pulumi_provider.connection import ConnectedProvider, ConnectionSettings, warn_of_plain_text_credentials
from pulumi_provider.properties import (
    BULK_OPERATION,
    BulkOperationInputs,
    facts_from_outputs,
    outputs,
)

_TIMEOUT_HINT = (
    " In Pulumi, run `pulumi up` again to keep waiting, or set wait=False to record the status without waiting."
)


class BulkOperationProvider(ConnectedProvider):
    """The CRUD side of ``BulkOperation``; the Pulumi engine runs it in its own process.

    - check: the core's input rules, as one failure per property.
    - create: check once, or wait (``wait``); a ``failed`` operation fails unless ``fail_on_operation_failure``
      is false. A timeout fails with the last status, and nothing is recorded.
    - read (refresh): one check. A finished operation Cloudflare has since forgotten (404) keeps its last facts;
      one never seen finished is reported gone.
    - diff: a new account_id or operation_id replaces; other inputs update in place. Facts and the pickled
      provider are not compared.
    - update: no API call, unless ``wait`` is now true and the operation was not seen finished; a recorded
      failure fails once ``fail_on_operation_failure`` is true again.
    - delete: no API call; forgetting an operation does not undo its list write.

    Credentials come from ``configure`` (stack config, else ``CLOUDFLARE_*``) and are never pickled.
    """

    def check(self, _olds: Dict[str, Any], news: Dict[str, Any]) -> CheckResult:
        inputs, failures = BULK_OPERATION.check(news)
        return CheckResult(inputs, [CheckFailure(name, reason) for name, reason in failures])

    def diff(self, _id: str, olds: Dict[str, Any], news: Dict[str, Any]) -> DiffResult:
        changed = BULK_OPERATION.changed(olds, news)
        return DiffResult(changes=bool(changed), replaces=BULK_OPERATION.replaces(changed))

    def create(self, props: Dict[str, Any]) -> CreateResult:
        inputs = BulkOperationInputs.from_props(props)
        return CreateResult(inputs.operation_id, outputs(inputs, self._observe(inputs)))

    def read(self, id_: str, props: Dict[str, Any]) -> ReadResult:
        inputs = BulkOperationInputs.from_props(props)
        facts = self._refresh(inputs, facts_from_outputs(props))
        # An empty id tells the engine the resource is gone.
        return ReadResult(id_, outputs(inputs, facts)) if facts is not None else ReadResult("", {})

    def update(self, _id: str, olds: Dict[str, Any], news: Dict[str, Any]) -> UpdateResult:
        inputs = BulkOperationInputs.from_props(news)
        facts = facts_from_outputs(olds)
        if facts is None or (inputs.wait and not facts.finished):
            return UpdateResult(outputs(inputs, self._observe(inputs)))
        return UpdateResult(outputs(inputs, _settle(inputs, facts)))

    def delete(self, _id: str, _props: Dict[str, Any]) -> None:
        """Nothing to delete: the operation is Cloudflare's record of a write that has already happened."""

    def _observe(self, inputs: BulkOperationInputs) -> BulkOperationFacts:
        with self._connection.open_client() as client:
            facts = _wait(client, inputs) if inputs.wait else _get(client, inputs)
        return _settle(inputs, facts)

    def _refresh(self, inputs: BulkOperationInputs, last: Optional[BulkOperationFacts]) -> Optional[BulkOperationFacts]:
        try:
            with self._connection.open_client() as client:
                return _get(client, inputs)
        except NotFoundError:
            # Cloudflare forgets finished operations after a while; what we saw last is still true.
            return last if last is not None and last.finished else None


def _get(client: CloudflareClient, inputs: BulkOperationInputs) -> BulkOperationFacts:
    return bulk_operations.get_bulk_operation(client, inputs.account_id, inputs.operation_id)


def _wait(client: CloudflareClient, inputs: BulkOperationInputs) -> BulkOperationFacts:
    """Wait until finished; a failed operation is returned (the caller decides), a timeout raises."""
    try:
        return bulk_operations.wait_for_bulk_operation(
            client, inputs.account_id, inputs.operation_id, inputs.policy()
        ).facts
    except OperationFailedError as exc:
        if exc.facts is None:
            raise
        return exc.facts
    except WaitTimeoutError as exc:
        exc.message += _TIMEOUT_HINT
        raise


def _settle(inputs: BulkOperationInputs, facts: BulkOperationFacts) -> BulkOperationFacts:
    """Apply ``fail_on_operation_failure``: by default a failed operation fails the deployment."""
    if facts.status == FAILED and inputs.fail_on_operation_failure:
        reason = (facts.error or "Cloudflare gave no reason").rstrip(".")
        raise OperationFailedError(
            f"Cloudflare bulk operation {facts.id} (account {inputs.account_id}) failed: {reason}. Fix the list "
            "items and write them again, which gives a new operation_id, or set fail_on_operation_failure=False "
            "to record the failure in the outputs instead.",
            facts=facts,
        )
    return facts


@dataclass(frozen=True)
class BulkOperationArgs:
    """The inputs of a ``BulkOperation``; each may be a plain value or an Output of another resource.

    ``account_id``, ``operation_id``: the operation to wait on (a list items write returns the operation id).
    ``wait``: wait until it has finished (default); false records the status as it is.
    ``wait_timeout``: seconds to wait before failing with the last status (0: check once).
    ``wait_max_interval``: the longest pause between checks, so completion is seen at most this late.
    ``fail_on_operation_failure``: a ``failed`` operation fails the deployment (default); false records it,
    with ``succeeded`` false and Cloudflare's reason in ``error``.
    """

    account_id: pulumi.Input[str]
    operation_id: pulumi.Input[str]
    wait: pulumi.Input[bool] = True
    wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT
    wait_max_interval: pulumi.Input[float] = DEFAULT_MAX_INTERVAL
    fail_on_operation_failure: pulumi.Input[bool] = True

    def to_props(self) -> Dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies, and an Output must be passed as is.
        return dict(self.__dict__)


class BulkOperation(Resource, module="cloudflare-lists", name="BulkOperation"):
    """Waits for a Cloudflare Rules Lists bulk operation and records its outcome.

    Outputs are the inputs plus the operation's facts, flat: ``status`` (pending, running, completed or failed),
    ``finished``, ``succeeded``, ``completed_at`` (UTC RFC 3339, once finished) and ``error`` (Cloudflare's reason
    for a failure). Credentials are never inputs: set ``cloudflare:apiToken`` (a secret) or ``cloudflare:apiKey``
    with ``cloudflare:email``, and optionally ``cloudflare:baseUrl``, in the stack config or as ``CLOUDFLARE_*``
    environment variables. Inputs are described on ``BulkOperationArgs``.
    """

    account_id: pulumi.Output[str]
    operation_id: pulumi.Output[str]
    wait: pulumi.Output[bool]
    wait_timeout: pulumi.Output[float]
    wait_max_interval: pulumi.Output[float]
    fail_on_operation_failure: pulumi.Output[bool]
    status: pulumi.Output[str]
    finished: pulumi.Output[bool]
    succeeded: pulumi.Output[bool]
    completed_at: pulumi.Output[Optional[str]]
    error: pulumi.Output[Optional[str]]

    def __init__(
        self,
        resource_name: str,
        account_id: pulumi.Input[str],
        operation_id: pulumi.Input[str],
        wait: pulumi.Input[bool] = True,
        wait_timeout: pulumi.Input[float] = DEFAULT_WAIT_TIMEOUT,
        wait_max_interval: pulumi.Input[float] = DEFAULT_MAX_INTERVAL,
        fail_on_operation_failure: pulumi.Input[bool] = True,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        args = BulkOperationArgs(
            account_id, operation_id, wait, wait_timeout, wait_max_interval, fail_on_operation_failure
        )
        # The facts are listed as None so that their Output attributes exist before the engine fills them.
        warn_of_plain_text_credentials()
        super().__init__(BulkOperationProvider(), resource_name, BULK_OPERATION.registration(args.to_props()), opts)

    @classmethod
    def from_args(
        cls, resource_name: str, args: BulkOperationArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> BulkOperation:
        return cls(resource_name, **args.to_props(), opts=opts)


class BulkOperationResult(TypedDict):
    """What ``get_bulk_operation`` returns: the same flat facts as a ``BulkOperation``'s outputs."""

    account_id: str
    operation_id: str
    status: str
    finished: bool
    succeeded: bool
    completed_at: Optional[str]
    error: Optional[str]


def get_bulk_operation(
    account_id: str,
    operation_id: str,
    *,
    wait: bool = False,
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
    wait_max_interval: float = DEFAULT_MAX_INTERVAL,
) -> BulkOperationResult:
    """Read an operation's facts now, in the program, without adding anything to state (a data source).

    It runs in previews too. A ``failed`` operation is returned, not raised: reading is not deploying.
    Raises the core's ``CloudflareListsError`` subclasses: ``ValidationError`` for bad ids or missing
    credentials, ``NotFoundError``, ``AuthenticationError``, ``WaitTimeoutError`` (with ``wait``)...
    For ids that are Outputs, use ``get_bulk_operation_output``.
    """
    settings = ConnectionSettings.from_config(pulumi.runtime.get_config)
    return _read(settings, account_id, operation_id, wait, wait_timeout, wait_max_interval)


def get_bulk_operation_output(
    account_id: pulumi.Input[str],
    operation_id: pulumi.Input[str],
    *,
    wait: bool = False,
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
    wait_max_interval: float = DEFAULT_MAX_INTERVAL,
) -> pulumi.Output[BulkOperationResult]:
    """``get_bulk_operation`` for ids that may be Outputs; the call runs in a thread once both are known."""
    settings = ConnectionSettings.from_config(pulumi.runtime.get_config)

    def read(ids: List[Any]) -> asyncio.Future[BulkOperationResult]:
        call = functools.partial(_read, settings, ids[0], ids[1], wait, wait_timeout, wait_max_interval)
        return asyncio.get_running_loop().run_in_executor(None, call)

    return pulumi.Output.all(account_id, operation_id).apply(read)


def _read(
    settings: ConnectionSettings,
    account_id: str,
    operation_id: str,
    wait: bool,
    wait_timeout: float,
    wait_max_interval: float,
) -> BulkOperationResult:
    inputs = BulkOperationInputs(account_id, operation_id, wait, wait_timeout, wait_max_interval, False)
    with settings.open_client() as client:
        facts = _wait(client, inputs) if wait else _get(client, inputs)
    return BulkOperationResult(
        account_id=account_id,
        operation_id=operation_id,
        status=facts.status,
        finished=facts.finished,
        succeeded=facts.succeeded,
        completed_at=facts.completed_at,
        error=facts.error,
    )
