"""parameters: one table names each parameter for every adapter, and the core's messages use only its names."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins import module_utils
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import argspec, auth
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    ConflictError,
    TransportError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import (
    BY_NAME,
    PARAMETERS,
    ansible_names,
    ansible_option,
    command_names,
    pulumi_names,
)

CORE_DIR = Path(module_utils.__file__).parent
# The table itself, and the Ansible layer (its specs name options by design).
NOT_MESSAGES = {"parameters.py", "argspec.py", "ansible_module.py"}
# Calls whose first argument is the name of the parameter a message is about.
NAMING_CALLS = {"ValidationError", "GuardError", "validate_positive_number", "validate_number_param"}


def core_sources() -> List[Path]:
    return sorted(path for path in CORE_DIR.glob("*.py") if path.name not in NOT_MESSAGES)


def texts(source: Path) -> Iterator[Tuple[int, str]]:
    """Every string constant of ``source`` that can end up in a message: not docstrings."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def named_parameters(source: Path) -> Iterator[Tuple[int, str]]:
    """The parameter names given as text to ``ValidationError`` and the number checks."""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if called in NAMING_CALLS and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def adapter_spellings() -> Set[str]:
    """What the adapters call a parameter where that is not its canonical name: flags, positionals, config keys."""
    canonical = set(BY_NAME)
    spelled = {p.flag for p in PARAMETERS if p.flag} | {p.pulumi for p in PARAMETERS if p.pulumi}
    spelled |= {p.option for p in PARAMETERS if p.option}
    # A lower-case word ("timeout", Ansible's name of the request timeout) is prose too, never renamed in running text.
    return {name for name in spelled if name not in canonical and not (name.isalpha() and name.islower())}


def test_each_parameter_is_in_the_table_once() -> None:
    assert len(BY_NAME) == len(PARAMETERS)


@pytest.mark.parametrize("source", core_sources(), ids=lambda path: path.name)
def test_no_core_message_names_a_flag_a_config_key_or_an_option(source: Path) -> None:
    spellings = adapter_spellings()
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(spellings, key=len, reverse=True))) + r")(?![\w-])"
        r"|(?<![\w-])--[a-z]|\bcloudflare:[a-z]"
    )
    found = [(line, text) for line, text in texts(source) if pattern.search(text)]
    assert found == []


@pytest.mark.parametrize("source", core_sources(), ids=lambda path: path.name)
def test_every_parameter_a_core_message_is_about_is_in_the_table(source: Path) -> None:
    known = set(BY_NAME) | {variable for p in PARAMETERS for variable in p.env} | {"credentials"}
    assert [(line, name) for line, name in named_parameters(source) if name not in known] == []


def test_the_command_names_each_parameter_by_its_flag_positional_or_variable() -> None:
    names = command_names()
    assert names["base_url"] == "--base-url (or CLOUDFLARE_BASE_URL)"
    assert names["request_timeout"] == "--request-timeout"
    assert names["wait_timeout"] == "--timeout"
    assert names["validate_certs"] == "--insecure"
    assert names["account_id"] == "ACCOUNT_ID"
    assert names["api_token"] == "CLOUDFLARE_API_TOKEN"  # credentials come only from the environment
    # Words that prose uses too are never renamed.
    assert not {"list", "name", "items", "state", "operations"} & set(names)


def test_pulumi_names_connection_parameters_by_pulumi_cloudflare_config_keys() -> None:
    assert pulumi_names() == {
        "api_token": "cloudflare:apiToken",
        "account_email": "cloudflare:email",
        "account_api_key": "cloudflare:apiKey",
        "base_url": "cloudflare:baseUrl",
    }


def test_an_error_renders_in_each_adapter_with_its_own_names() -> None:
    error = ValidationError("validate_certs", "turn verification off (validate_certs) only for a test endpoint.")
    assert error.render(ansible_names()) == str(error)
    assert error.render(command_names()) == (
        "Invalid --insecure: turn verification off (--insecure) only for a test endpoint."
    )


def test_a_one_word_parameter_is_renamed_only_as_the_invalid_parameter_never_in_running_text() -> None:
    error = ValidationError("kind", "a list's kind can't change; the description stays.")
    assert error.render(command_names()) == "Invalid --kind: a list's kind can't change; the description stays."
    prose = ConflictError("List 'blocklist' is a list of kind ip, not asn; a list's kind can't change.")
    assert prose.render(command_names()) == str(prose)


def test_the_request_timeout_is_named_as_each_adapter_takes_it() -> None:
    error = TransportError("api.example did not answer within 30 s (read timeout). Raise the request_timeout.")
    assert error.render(command_names()).endswith("(read timeout). Raise the --request-timeout.")
    assert error.render(ansible_names()).endswith("(read timeout). Raise the timeout.")


def test_the_shared_ansible_options_are_the_tables() -> None:
    shared = {
        **argspec.CONNECTION_ARGUMENT_SPEC,
        **argspec.WAIT_ARGUMENT_SPEC,
        **argspec.ACCOUNT_ARGUMENT_SPEC,
        **argspec.ITEMS_ARGUMENT_SPEC,
    }
    options = {p.option for p in PARAMETERS if p.option}
    assert set(shared) <= options
    with pytest.raises(KeyError):
        ansible_option("mode")  # the modules choose it from their own options (purge_items, state)


def test_the_environment_fallbacks_are_the_tables() -> None:
    assert auth.ENV_API_TOKEN == BY_NAME["api_token"].env == ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN")
    assert auth.ENV_BASE_URL == BY_NAME["base_url"].env
    assert auth.ACCOUNT_ID_ENV == BY_NAME["account_id"].env[0]


def test_the_missing_credentials_message_names_each_setting_once_in_every_adapter() -> None:
    with pytest.raises(ValidationError) as caught:
        auth.resolve_credentials(environ={})
    error = caught.value
    rendered = {
        "command": error.render(command_names()),
        "ansible": error.render(ansible_names()),
        "pulumi": error.render(pulumi_names()),
    }
    assert rendered["command"] == (
        "Invalid credentials: no Cloudflare credentials found. Set CLOUDFLARE_API_TOKEN or CLOUDFLARE_TOKEN to an API "
        "token with 'Account Filter Lists Read' permission, or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY."
    )
    assert rendered["ansible"] == (
        "Invalid credentials: no Cloudflare credentials found. Set api_token (or CLOUDFLARE_API_TOKEN or "
        "CLOUDFLARE_TOKEN) to an API token with 'Account Filter Lists Read' permission, or account_email (or "
        "CLOUDFLARE_EMAIL) and account_api_key (or CLOUDFLARE_API_KEY)."
    )
    assert rendered["pulumi"] == (
        "Invalid credentials: no Cloudflare credentials found. Set cloudflare:apiToken (or CLOUDFLARE_API_TOKEN or "
        "CLOUDFLARE_TOKEN) to an API token with 'Account Filter Lists Read' permission, or cloudflare:email (or "
        "CLOUDFLARE_EMAIL) and cloudflare:apiKey (or CLOUDFLARE_API_KEY)."
    )


def test_half_a_key_pair_names_the_missing_half_once_in_the_command() -> None:
    with pytest.raises(CloudflareListsError) as caught:
        auth.resolve_credentials(environ={"CLOUDFLARE_EMAIL": "ops@example.com"})
    assert caught.value.render(command_names()).endswith(
        "needs both CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY; CLOUDFLARE_API_KEY is missing."
    )
    assert caught.value.render(ansible_names()).endswith("; account_api_key (or CLOUDFLARE_API_KEY) is missing.")
