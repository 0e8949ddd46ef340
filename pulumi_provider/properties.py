"""The BulkOperation resource's schema, and its outputs built from the core's facts.

Plain data and functions, so the provider's methods stay a few lines each and are testable without a server.
Every property is flat (no nesting), named like the core's facts and the Ansible options. The state format is
the one BulkOperation always had: the inputs, then the facts, flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_account_id,
    validate_max_interval,
    validate_operation_id,
    validate_wait_timeout,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    WaitPolicy,
)

from pulumi_provider.schema import Field, Schema, boolean, simple

#: The core's facts, flattened. Their ``id`` is ``operation_id`` here: Pulumi reserves ``id``.
FACT_PROPERTIES = ("status", "finished", "succeeded", "completed_at", "error")

BULK_OPERATION = Schema(
    "BulkOperation",
    inputs=(
        # Naming which operation this is: changing either means another operation, so a replace.
        Field("account_id", simple(validate_account_id), replaces=True),
        Field("operation_id", simple(validate_operation_id), replaces=True),
        Field("wait", boolean("wait"), default=True),
        Field(
            "wait_timeout",
            simple(validate_wait_timeout),
            default=DEFAULT_WAIT_TIMEOUT,
        ),
        Field(
            "wait_max_interval",
            simple(validate_max_interval),
            default=DEFAULT_MAX_INTERVAL,
        ),
        Field("fail_on_operation_failure", boolean("fail_on_operation_failure"), default=True),
    ),
    outputs=FACT_PROPERTIES,
)
INPUT_PROPERTIES: Tuple[str, ...] = BULK_OPERATION.names


@dataclass(frozen=True)
class BulkOperationInputs:
    """The checked inputs; the provider echoes them into the outputs, since outputs are all that Read and Diff see."""

    account_id: str
    operation_id: str
    wait: bool = True
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT
    wait_max_interval: float = DEFAULT_MAX_INTERVAL
    fail_on_operation_failure: bool = True

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> BulkOperationInputs:
        """From checked inputs, or from outputs in state; a missing or null optional property takes its default."""
        return cls(**BULK_OPERATION.inputs_of(props))

    def to_props(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in INPUT_PROPERTIES}

    def policy(self) -> WaitPolicy:
        return WaitPolicy(timeout=self.wait_timeout, max_interval=self.wait_max_interval)


def fact_outputs(facts: BulkOperationFacts) -> Dict[str, Any]:
    data = facts.to_dict()
    return {name: data[name] for name in FACT_PROPERTIES}


def outputs(inputs: BulkOperationInputs, facts: BulkOperationFacts) -> Dict[str, Any]:
    """Everything the resource records: its inputs, then the facts, flat."""
    return {**inputs.to_props(), **fact_outputs(facts)}


def facts_from_outputs(outs: Mapping[str, Any]) -> Optional[BulkOperationFacts]:
    """The facts recorded in state, or None when there are none."""
    if not isinstance(outs.get("status"), str):
        return None
    return BulkOperationFacts.from_dict(
        {
            "id": outs["operation_id"],
            "status": outs["status"],
            "completed_at": outs.get("completed_at"),
            "error": outs.get("error"),
        }
    )
