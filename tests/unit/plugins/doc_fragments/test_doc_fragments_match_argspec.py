"""The doc fragments document exactly the shared option specs: names, types, defaults, secrets, env fallbacks."""

from __future__ import annotations

import re

import pytest
import yaml
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import auth as auth_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import wait as wait_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import argspec, auth
from ansible_collections.edgeops.cloudflare_lists.plugins.modules import bulk_operation_info

NEVER_LOGGED = "Ansible never logs this value."

FRAGMENTS = [
    pytest.param(auth_fragment, argspec.CONNECTION_ARGUMENT_SPEC, id="auth"),
    pytest.param(wait_fragment, argspec.WAIT_ARGUMENT_SPEC, id="wait"),
]


def documented_options(fragment):
    return yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)["options"]


def description(option):
    text = option["description"]
    return " ".join(text) if isinstance(text, list) else text


@pytest.mark.parametrize("fragment, spec", FRAGMENTS)
def test_fragment_documents_exactly_the_options_of_its_spec(fragment, spec):
    assert sorted(documented_options(fragment)) == sorted(spec)


@pytest.mark.parametrize("fragment, spec", FRAGMENTS)
def test_fragment_types_match_the_spec(fragment, spec):
    documented = {name: option.get("type", "str") for name, option in documented_options(fragment).items()}
    assert documented == {name: option.get("type", "str") for name, option in spec.items()}


@pytest.mark.parametrize("fragment, spec", FRAGMENTS)
def test_fragment_defaults_match_the_spec(fragment, spec):
    for name, option in documented_options(fragment).items():
        expected = spec[name].get("default")
        assert option.get("default") == expected, name
        assert type(option.get("default")) in (type(expected), int if isinstance(expected, float) else type(None)), name


@pytest.mark.parametrize("fragment, spec", FRAGMENTS)
def test_fragment_required_flags_match_the_spec(fragment, spec):
    for name, option in documented_options(fragment).items():
        assert bool(option.get("required")) == bool(spec[name].get("required")), name


@pytest.mark.parametrize("fragment, spec", FRAGMENTS)
def test_exactly_the_no_log_options_are_documented_as_never_logged(fragment, spec):
    documented = {name for name, option in documented_options(fragment).items() if NEVER_LOGGED in description(option)}
    assert documented == {name for name, option in spec.items() if option.get("no_log")}


@pytest.mark.parametrize(
    "option, variables",
    [
        ("api_token", auth.ENV_API_TOKEN),
        ("account_email", auth.ENV_EMAIL),
        ("account_api_key", auth.ENV_API_KEY),
        ("base_url", auth.ENV_BASE_URL),
    ],
)
def test_environment_fallbacks_of_the_core_are_documented_in_order(option, variables):
    text = description(documented_options(auth_fragment)[option])
    mentioned = re.findall(r"E\((CLOUDFLARE_[A-Z_]+)\)", text)
    assert tuple(mentioned) == variables


def test_base_url_documents_the_core_default_endpoint():
    assert f"V({auth.DEFAULT_BASE_URL})" in description(documented_options(auth_fragment)["base_url"])


@pytest.mark.parametrize(
    "groups, wording",
    [
        (argspec.CONNECTION_MUTUALLY_EXCLUSIVE, "Mutually exclusive with"),
        (argspec.CONNECTION_REQUIRED_TOGETHER, "Required together with"),
    ],
    ids=["mutually_exclusive", "required_together"],
)
def test_option_constraints_are_documented_on_the_options_they_bind(groups, wording):
    options = documented_options(auth_fragment)
    for group in groups:
        for name in group:
            sentences = [line for line in options[name]["description"] if line.startswith(wording)]
            assert sentences, (name, wording)
            for other in group:
                if other != name:
                    assert f"O({other})" in " ".join(sentences), (name, other)


def test_module_documents_its_own_options_and_takes_the_rest_from_the_fragments():
    doc = yaml.safe_load(bulk_operation_info.DOCUMENTATION)

    assert {"edgeops.cloudflare_lists.auth", "edgeops.cloudflare_lists.wait"} <= set(
        doc["extends_documentation_fragment"]
    )
    own = doc["options"]
    assert sorted(own) == sorted(argspec.BULK_OPERATION_ARGUMENT_SPEC)
    for name, option in own.items():
        assert option["type"] == argspec.BULK_OPERATION_ARGUMENT_SPEC[name]["type"]
        assert bool(option.get("required")) == bool(argspec.BULK_OPERATION_ARGUMENT_SPEC[name].get("required"))
    fragment_options = set(documented_options(auth_fragment)) | set(documented_options(wait_fragment))
    assert set(own) | fragment_options == set(bulk_operation_info.argument_spec())
