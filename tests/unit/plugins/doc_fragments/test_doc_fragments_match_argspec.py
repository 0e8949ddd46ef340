"""The doc fragments document exactly the shared option specs: names, types, defaults, secrets, env fallbacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ansible.plugins.doc_fragments import action_common_attributes as builtin_attributes_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import account as account_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import auth as auth_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import common as common_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import items as items_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.doc_fragments import wait as wait_fragment
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils import argspec, auth
from ansible_collections.edgeops.cloudflare_lists.plugins.modules import (
    bulk_operation_info,
    rules_list,
    rules_list_info,
    rules_list_items,
)

NEVER_LOGGED = "Ansible never logs this value."

FRAGMENTS = [
    pytest.param(auth_fragment, argspec.CONNECTION_ARGUMENT_SPEC, id="auth"),
    pytest.param(account_fragment, argspec.ACCOUNT_ARGUMENT_SPEC, id="account"),
    pytest.param(items_fragment, argspec.ITEMS_ARGUMENT_SPEC, id="items"),
    pytest.param(wait_fragment, argspec.WAIT_ARGUMENT_SPEC, id="wait"),
    pytest.param((wait_fragment, "WRITES"), argspec.WRITE_WAIT_ARGUMENT_SPEC, id="wait.writes"),
]
FRAGMENT_NAMES = {
    "edgeops.cloudflare_lists.auth": (auth_fragment, "DOCUMENTATION"),
    "edgeops.cloudflare_lists.account": (account_fragment, "DOCUMENTATION"),
    "edgeops.cloudflare_lists.items": (items_fragment, "DOCUMENTATION"),
    "edgeops.cloudflare_lists.wait": (wait_fragment, "DOCUMENTATION"),
    "edgeops.cloudflare_lists.wait.writes": (wait_fragment, "WRITES"),
    "edgeops.cloudflare_lists.common": (common_fragment, "DOCUMENTATION"),
    "edgeops.cloudflare_lists.common.read_only": (common_fragment, "READ_ONLY"),
    "edgeops.cloudflare_lists.common.writes": (common_fragment, "WRITES"),
    "ansible.builtin.action_common_attributes": (builtin_attributes_fragment, "DOCUMENTATION"),
    "ansible.builtin.action_common_attributes.ACTIONGROUPS": (builtin_attributes_fragment, "ACTIONGROUPS"),
}
MODULES = [
    pytest.param(bulk_operation_info, id="bulk_operation_info"),
    pytest.param(rules_list, id="rules_list"),
    pytest.param(rules_list_info, id="rules_list_info"),
    pytest.param(rules_list_items, id="rules_list_items"),
]


def fragment_documentation(fragment):
    module, variable = fragment if isinstance(fragment, tuple) else (fragment, "DOCUMENTATION")
    return yaml.safe_load(getattr(module.ModuleDocFragment, variable))


def documented_options(fragment):
    return fragment_documentation(fragment).get("options", {})


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


def test_account_fallback_of_the_core_is_documented():
    text = description(documented_options(account_fragment)["account_id"])
    assert re.findall(r"E\((CLOUDFLARE_[A-Z_]+)\)", text) == [auth.ACCOUNT_ID_ENV]


def module_documentation(module):
    """The module's options as ansible-doc shows them: its fragments' options, overridden key by key by its own;
    and its attributes likewise, an earlier fragment's values winning over a later one's (as ansible-core merges)."""
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = {}
    attributes = dict(doc.get("attributes", {}))
    for name in doc["extends_documentation_fragment"]:
        fragment = fragment_documentation(FRAGMENT_NAMES[name])
        options.update(fragment.get("options", {}))
        for key, value in fragment.get("attributes", {}).items():
            attributes[key] = dict(value, **attributes.get(key, {}))
    for name, option in doc["options"].items():
        options[name] = dict(options.get(name, {}), **option)
    doc["attributes"] = attributes
    return doc, options


@pytest.mark.parametrize("module", MODULES)
def test_module_documents_exactly_its_argument_spec(module):
    _doc, options = module_documentation(module)
    spec = module.argument_spec()

    assert sorted(options) == sorted(spec)
    for name, option in options.items():
        assert option.get("type", "str") == spec[name].get("type", "str"), name
        assert bool(option.get("required")) == bool(spec[name].get("required")), name
        assert option.get("default") == spec[name].get("default"), name
        assert option.get("choices") == spec[name].get("choices"), name
        assert option.get("elements") == spec[name].get("elements"), name


@pytest.mark.parametrize("module", MODULES)
def test_module_takes_the_shared_options_from_the_fragments_only(module):
    doc, _options = module_documentation(module)
    shared = set()
    for name in doc["extends_documentation_fragment"]:
        if name in FRAGMENT_NAMES:
            shared |= set(documented_options(FRAGMENT_NAMES[name]))
    for name, option in doc["options"].items():
        if name in shared:
            assert set(option) <= {"required"}, f"{name} is documented in a fragment; override only required"


@pytest.mark.parametrize("module", MODULES)
def test_module_is_in_the_action_group_it_declares(module):
    doc, _options = module_documentation(module)
    runtime = yaml.safe_load((Path(__file__).resolve().parents[4] / "meta" / "runtime.yml").read_text())

    assert doc["attributes"]["action_group"]["membership"] == ["edgeops.cloudflare_lists.cloudflare_lists"]
    assert doc["module"] in runtime["action_groups"]["cloudflare_lists"]


@pytest.mark.parametrize("module", MODULES)
def test_module_says_how_it_supports_each_attribute(module):
    doc, _options = module_documentation(module)
    attributes = doc["attributes"]

    assert sorted(attributes) == ["action_group", "check_mode", "diff_mode", "platform"]
    assert attributes["check_mode"]["support"] == "full"
    assert attributes["diff_mode"]["support"] in ("full", "none")
    assert ("details" in attributes["diff_mode"]) == (attributes["diff_mode"]["support"] == "full")
    assert attributes["platform"]["platforms"] == "posix"
    assert all(attribute["description"] for attribute in attributes.values())
