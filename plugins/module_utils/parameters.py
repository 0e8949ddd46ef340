# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every parameter the core names, and what each adapter calls it: one table.

The core's messages name a parameter by its canonical ``name`` only (``ValidationError.parameter``, and words such
as "Raise wait_timeout"); each adapter renders those names as its users know them (``CloudflareListsError.render``
with ``ansible_names()``, ``command_names()`` or ``pulumi_names()``). The Ansible argument specs take their option
names from here, and the core's environment fallbacks their variables.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Parameter(NamedTuple):
    """One parameter. ``None``: that adapter has no such setting."""

    #: How the core's messages name it.
    name: str
    #: The Ansible option.
    option: Optional[str] = None
    #: The command's flag, or its positional argument.
    flag: Optional[str] = None
    #: The Pulumi stack config key, or the resource input.
    pulumi: Optional[str] = None
    #: Environment variables the core falls back on, the preferred one first.
    env: Tuple[str, ...] = ()


PARAMETERS: Tuple[Parameter, ...] = (
    # The connection: credentials (never command flags, so they never show in a process list) and where to send them.
    Parameter("api_token", "api_token", None, "cloudflare:apiToken", ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN")),
    Parameter("account_email", "account_email", None, "cloudflare:email", ("CLOUDFLARE_EMAIL",)),
    Parameter("account_api_key", "account_api_key", None, "cloudflare:apiKey", ("CLOUDFLARE_API_KEY",)),
    Parameter("base_url", "base_url", "--base-url", "cloudflare:baseUrl", ("CLOUDFLARE_BASE_URL",)),
    Parameter("request_timeout", "timeout", "--request-timeout"),
    Parameter("validate_certs", "validate_certs", "--insecure"),
    # What to act on.
    Parameter("account_id", "account_id", "ACCOUNT_ID", "account_id", ("CLOUDFLARE_ACCOUNT_ID",)),
    Parameter("operation_id", "operation_id", "OPERATION_ID", "operation_id"),
    # A list: by name or id (``list`` is either; the command's LIST positional). Common words, so the command
    # keeps them as they are rather than rename them in the middle of a sentence.
    Parameter("name", "name", None, "name"),
    Parameter("list_id", "list_id", None, "list_id"),
    Parameter("list", "list"),
    Parameter("kind", "kind", "--kind", "kind"),
    Parameter("description", "description", "--description", "description"),
    Parameter("state", "state"),
    Parameter("items", "items", None, "items"),
    Parameter("mode"),
    Parameter("operations", "operations"),
    Parameter("owned_keys"),
    # Waiting.
    Parameter("wait", "wait", None, "wait"),
    Parameter("wait_timeout", "wait_timeout", "--timeout", "wait_timeout"),
    Parameter("wait_max_interval", "wait_max_interval", "--max-interval", "wait_max_interval"),
    Parameter("first_interval"),
    Parameter("multiplier"),
    Parameter("jitter"),
    # Guards on a write.
    Parameter("allow_empty", "allow_empty", "--allow-empty"),
    Parameter("max_removals", "max_removals", "--max-removals"),
    # Saved plans: the file a planning sync writes, and the one apply reads.
    Parameter("plan_out", None, "--plan-out"),
    Parameter("plan_file", None, "PLANFILE"),
    # The request budget: its rate (Python callers only), and the rate its processes on a host share.
    Parameter("rate"),
    Parameter("request_rate", env=("CLOUDFLARE_LISTS_RATE",)),
)

BY_NAME: Dict[str, Parameter] = {parameter.name: parameter for parameter in PARAMETERS}


def env_names(name: str) -> Tuple[str, ...]:
    """The environment variables of parameter ``name``, the preferred one first."""
    return BY_NAME[name].env


def ansible_option(name: str) -> str:
    """The Ansible option of parameter ``name``."""
    option = BY_NAME[name].option
    if option is None:
        raise KeyError(f"parameter {name!r} is no Ansible option")
    return option


def ansible_names() -> Dict[str, str]:
    """Canonical names that an Ansible option spells otherwise."""
    return {p.name: p.option for p in PARAMETERS if p.option is not None and p.option != p.name}


def with_fallback(name: str) -> str:
    """Parameter ``name`` with the environment variables it falls back on, as one phrase of a core message
    (``"account_email (or CLOUDFLARE_EMAIL)"``). An adapter that spells the parameter otherwise renames the name
    inside it; the command, whose name for a credential is the variable itself, renders the phrase whole."""
    return f"{name} (or {' or '.join(BY_NAME[name].env)})"


def command_names() -> Dict[str, str]:
    """Each parameter as the command takes it: its flag (and variable, when it has one), or its variable."""
    names = {}
    for p in PARAMETERS:
        if p.flag is not None:
            names[p.name] = f"{p.flag} (or {p.env[0]})" if p.flag.startswith("--") and p.env else p.flag
        elif p.env:
            names[p.name] = p.env[0]
        if p.env:  # the phrase of with_fallback, each name once
            alternatives = " or ".join(p.env)
            names[with_fallback(p.name)] = alternatives if p.flag is None else f"{p.flag} (or {alternatives})"
    return names


def pulumi_names() -> Dict[str, str]:
    """Each parameter as a Pulumi program sets it: its stack config key or resource input."""
    return {p.name: p.pulumi for p in PARAMETERS if p.pulumi is not None and p.pulumi != p.name}
