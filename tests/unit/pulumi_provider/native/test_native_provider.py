"""The provider's own decisions, called as its server calls them: which type a URN names, what configuration it
takes, and how it answers a type it doesn't have."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Mapping, TypeVar

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from pulumi.provider.experimental import provider as rpc

from pulumi_provider.native import CloudflareListsProvider
from pulumi_provider.native.wire import to_plain, to_value

T = TypeVar("T")
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


def run(call: Awaitable[T]) -> T:
    loop = asyncio.new_event_loop()  # not asyncio.run: it unsets the thread's loop, which other tests use
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()


def values(props: Mapping[str, Any]) -> dict:
    return {key: to_value(value) for key, value in props.items()}


def test_a_resource_inside_a_component_is_served_by_its_own_type() -> None:
    urn = "urn:pulumi:dev::p::my:index:Edge$cloudflare-lists:index:RulesList::blocklist"
    request = rpc.CheckRequest(urn, {}, values({"accountId": ACCOUNT, "name": "edge", "kind": "ip"}), b"")
    response = run(CloudflareListsProvider("1.0.0").check(request))
    assert response.failures == [] and to_plain(response.inputs["name"]) == "edge"  # type: ignore[index]


def test_a_type_the_package_lacks_is_refused_naming_the_ones_it_has() -> None:
    request = rpc.CheckRequest("urn:pulumi:dev::p::cloudflare-lists:index:Zone::z", {}, {}, b"")
    with pytest.raises(CloudflareListsError) as caught:
        run(CloudflareListsProvider("1.0.0").check(request))
    assert "cloudflare-lists:index:RulesList" in str(caught.value)


def test_configuration_takes_the_engines_own_keys_and_refuses_others() -> None:
    news = values({"apiKey": "k", "email": "a@example.com", "version": "1.0.0", "apikey": "typo", "baseUrl": 5})
    response = run(CloudflareListsProvider("1.0.0").check_config(rpc.CheckRequest("urn", {}, news, b"")))
    assert sorted((f.property, f.reason.split(";")[0]) for f in response.failures or []) == [
        ("apikey", "unknown configuration"),
        ("baseUrl", "expected a string."),
    ]
    inputs = response.inputs or {}
    assert inputs["apiKey"].is_secret and not inputs["email"].is_secret


def test_a_new_credential_or_base_url_never_replaces_the_provider() -> None:
    olds, news = (
        values({"apiToken": "a", "baseUrl": "https://one"}),
        values({"apiToken": "b", "baseUrl": "https://one"}),
    )
    response = run(CloudflareListsProvider("1.0.0").diff_config(rpc.DiffRequest("urn", "id", olds, news, [])))
    assert (response.changes, response.replaces, list(response.detailed_diff)) == (True, [], ["apiToken"])
