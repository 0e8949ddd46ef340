"""The BulkOperation resource's properties: names, defaults, checks, and the outputs built from the core's facts.

Plain data and functions, so the provider's methods stay a few lines each and are testable without a server.
Every property is flat (no nesting), named like the core's facts and the Ansible options.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    describe_value,
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
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

#: Inputs naming which operation this is: changing one means another operation, so a replace.
REPLACE_PROPERTIES = ("account_id", "operation_id")
#: The core's facts, flattened. Their ``id`` is ``operation_id`` here: Pulumi reserves ``id``.
FACT_PROPERTIES = ("status", "finished", "succeeded", "completed_at", "error")


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
        given = {name: props[name] for name in INPUT_PROPERTIES if props.get(name) is not None}
        return cls(**given)

    def to_props(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in INPUT_PROPERTIES}

    def policy(self) -> WaitPolicy:
        return WaitPolicy(timeout=self.wait_timeout, max_interval=self.wait_max_interval)


def is_unknown(value: Any) -> bool:
    """A value not known yet: in a preview, an output of another resource.

    The provider server hands it over as an ``Unknown``; the wire's sentinel string means the same.
    """
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


INPUT_PROPERTIES: Tuple[str, ...] = tuple(f.name for f in fields(BulkOperationInputs))
DEFAULTS: Dict[str, Any] = {f.name: f.default for f in fields(BulkOperationInputs) if f.name not in REPLACE_PROPERTIES}


def _boolean(parameter: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(parameter, f"expected true or false, got {describe_value(value)}.")
    return value


# One rule per input, each from the core where it has one; each returns the normalized value or raises.
_RULES: Dict[str, Callable[[Any], Any]] = {
    "account_id": validate_account_id,
    "operation_id": validate_operation_id,
    "wait": lambda value: _boolean("wait", value),
    "wait_timeout": validate_wait_timeout,
    "wait_max_interval": validate_max_interval,
    "fail_on_operation_failure": lambda value: _boolean("fail_on_operation_failure", value),
}


def check_inputs(news: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[Tuple[str, str]]]:
    """Fill in defaults and check each input; return the inputs and ``(property, reason)`` for each problem.

    A value not known yet (preview) passes through unchecked; it is checked again once known.
    """
    inputs: Dict[str, Any] = {}
    failures: List[Tuple[str, str]] = []
    for name in INPUT_PROPERTIES:
        value = news.get(name)
        if value is None:
            value = DEFAULTS.get(name)
        if is_unknown(value):
            inputs[name] = value
            continue
        try:
            inputs[name] = _RULES[name](value)
        except ValidationError as exc:
            failures.append((name, str(exc)))
    for name in sorted(set(news) - set(INPUT_PROPERTIES) - {"__provider"}):
        failures.append((name, f"unknown property; BulkOperation takes {', '.join(INPUT_PROPERTIES)}."))
    return inputs, failures


def changed_properties(olds: Mapping[str, Any], news: Mapping[str, Any]) -> List[str]:
    """Inputs whose new value differs from the old output (a value not known yet counts as changed).

    Only inputs are compared: ``__provider`` (a re-pickled provider) and the facts never make a diff.
    """
    changed = []
    for name in INPUT_PROPERTIES:
        old = olds.get(name, DEFAULTS.get(name))
        new = news.get(name, DEFAULTS.get(name))
        if is_unknown(new) or old != new:
            changed.append(name)
    return changed


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
