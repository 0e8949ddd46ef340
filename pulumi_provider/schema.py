"""A resource's properties, declared once: each input's rule, default, and whether changing it replaces.

From one ``Schema`` a provider gets its ``check`` (defaults filled in, one failure per bad property), its ``diff``
(canonical forms compared, replaces named), the inputs read back from state, and the properties a resource
registers (its inputs plus its outputs, as None, so their ``Output`` attributes exist). The typed faces (an
``Args`` dataclass, a resource's keyword arguments and ``Output`` annotations) stay written out for type checkers
and editors; ``Schema.verify`` checks that they match, and a unit test runs it for every resource.

Plain data and functions: testable without a provider server.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ItemsValidationError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import describe_value
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

PROVIDER_KEY = "__provider"

#: ``rule(value, checked)``: the normalized value, or ``ValidationError``. ``checked`` holds the inputs checked
#: before this one (in declaration order), so a rule may depend on an earlier input (items on the list's kind).
Rule = Callable[[Any, Mapping[str, Any]], Any]
#: ``canonical(value, props)``: the form ``diff`` compares, given the other properties of the same side.
Canonical = Callable[[Any, Mapping[str, Any]], Any]


def is_unknown(value: Any) -> bool:
    """A value not known yet (a preview, an output of another resource), at any depth.

    The provider server hands it over as an ``Unknown``; the wire's sentinel string means the same.
    """
    if isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN):
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(item) for item in value)
    return False


def plain_numbers(value: Any) -> Any:
    """Numbers cross the wire as floats: turn whole ones back into ints, at any depth (an ASN, a status code)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: plain_numbers(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_numbers(item) for item in value]
    return value


def simple(validate: Callable[[Any], Any]) -> Rule:
    """A rule from a one-argument validator of the core."""
    return lambda value, _checked: validate(value)


def boolean(name: str) -> Rule:
    def rule(value: Any, _checked: Mapping[str, Any]) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(name, f"expected true or false, got {describe_value(value)}.")
        return value

    return rule


@dataclass(frozen=True)
class Field:
    """One input.

    ``default``: the value when the input is omitted or null (None: the rule sees None, and decides whether that
    is allowed). ``replaces``: a change means another resource, so a replace. ``canonical``: the form ``diff``
    compares (default: the value itself). ``unset_leaves_alone``: an omitted value means "not managed", so it
    never makes a diff (a list's ``items``).
    """

    name: str
    rule: Rule
    default: Any = None
    replaces: bool = False
    canonical: Optional[Canonical] = None
    unset_leaves_alone: bool = False

    def comparable(self, value: Any, props: Mapping[str, Any]) -> Any:
        if self.canonical is None or value is None:
            return value
        try:
            return self.canonical(value, props)
        except (ValidationError, ValueError, TypeError, KeyError):
            return value  # not comparable canonically: compared as given, and check or the write says what is wrong


@dataclass(frozen=True)
class Schema:
    """A resource's inputs (in order) and the names of its outputs (what the provider adds to state)."""

    resource: str
    inputs: Tuple[Field, ...]
    outputs: Tuple[str, ...] = ()

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(field.name for field in self.inputs)

    @property
    def replace_names(self) -> Tuple[str, ...]:
        return tuple(field.name for field in self.inputs if field.replaces)

    @property
    def defaults(self) -> Dict[str, Any]:
        return {field.name: field.default for field in self.inputs if field.default is not None}

    def field(self, name: str) -> Field:
        for field in self.inputs:
            if field.name == name:
                return field
        raise KeyError(name)

    # ------------------------------------------------------------------------------------------- check
    def check(self, news: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[Tuple[str, str]]]:
        """Fill in defaults and check each input; return the inputs and ``(property, reason)`` for each problem.

        A value not known yet passes through unchecked; it is checked again once known. The engine shows a failure
        as "property <name> value {<value>} has a problem: <reason>", or with no property as "resource '<name>' has
        a problem: <reason>". So the reason is the problem alone, and a problem inside a property (``items[3]``) has
        no property (the engine can't show ``items[3]``'s value, and showing all the items would drown it): its
        reason starts with where it is. Every bad item is its own failure (up to the core's cap).
        """
        inputs: Dict[str, Any] = {}
        failures: List[Tuple[str, str]] = []
        for field in self.inputs:
            value = news.get(field.name)
            if value is None:
                value = field.default
            if is_unknown(value):
                inputs[field.name] = value
                continue
            try:
                normalized = field.rule(plain_numbers(value), inputs)
            except ItemsValidationError as exc:
                failures += [("", f"{parameter}: {problem}") for parameter, problem in exc.problems[: exc.MAX_LISTED]]
                if len(exc.problems) > exc.MAX_LISTED:
                    failures.append(("", f"... and {len(exc.problems) - exc.MAX_LISTED} more bad items."))
                continue
            except ValidationError as exc:
                if exc.parameter.startswith(field.name + "["):
                    failures.append(("", f"{exc.parameter}: {exc.problem}"))
                else:
                    failures.append((field.name, exc.problem))
                continue
            if normalized is not None:
                inputs[field.name] = normalized
        for name in sorted(set(news) - set(self.names) - {PROVIDER_KEY}):
            failures.append((name, f"unknown property; {self.resource} takes {', '.join(self.names)}."))
        return inputs, failures

    # ------------------------------------------------------------------------------------------- diff
    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> List[str]:
        """Inputs whose new value differs from the old output, compared in canonical form.

        A value not known yet counts as changed. Only inputs are compared: the pickled provider and the outputs
        never make a diff.
        """
        changed = []
        for field in self.inputs:
            new = news.get(field.name, field.default)
            if new is None and field.unset_leaves_alone:
                continue
            if is_unknown(new):
                changed.append(field.name)
                continue
            old = olds.get(field.name, field.default)
            if field.comparable(plain_numbers(old), olds) != field.comparable(plain_numbers(new), news):
                changed.append(field.name)
        return changed

    def replaces(self, changed: Iterable[str]) -> List[str]:
        return [name for name in changed if name in self.replace_names]

    # ------------------------------------------------------------------------------------------- state
    def inputs_of(self, props: Mapping[str, Any]) -> Dict[str, Any]:
        """The inputs from checked inputs or from outputs in state; a missing or null one takes its default."""
        return {
            field.name: props[field.name] if props.get(field.name) is not None else field.default
            for field in self.inputs
        }

    def inputs_from_outputs(self, outs: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
        """The inputs a program giving these outputs' values would have, checked: what a refresh records as the
        inputs, so the next preview compares the program with what was found. None if they don't pass the check."""
        inputs, failures = self.check({name: outs[name] for name in self.names if outs.get(name) is not None})
        return None if failures else inputs

    def registration(self, inputs: Mapping[str, Any]) -> Dict[str, Any]:
        """What a resource registers: its inputs, and its outputs as None so their attributes exist."""
        return {**inputs, **{name: None for name in self.outputs if name not in inputs}}

    def verify(self, args: type, resource: type) -> None:
        """Check that an ``Args`` dataclass and a resource class match the schema; raise ``TypeError`` if not."""
        arg_fields = {f.name: f.default for f in dataclasses.fields(args)}
        if list(arg_fields) != list(self.names):
            raise TypeError(f"{args.__name__} has fields {list(arg_fields)}, the schema {list(self.names)}")
        for field in self.inputs:
            given = arg_fields[field.name]
            expected = dataclasses.MISSING if field.default is None and given is dataclasses.MISSING else field.default
            if given is not expected and given != expected:
                raise TypeError(f"{args.__name__}.{field.name} defaults to {given!r}, the schema to {expected!r}")
        annotated = set(getattr(resource, "__annotations__", {}))
        missing = [name for name in (*self.names, *self.outputs) if name not in annotated]
        if missing:
            raise TypeError(f"{resource.__name__} lacks Output annotations for {missing}")
