"""Lists: create, read, update, delete, and the service's validation of names, kinds and descriptions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OTHER_ACCOUNT_ID as OTHER_ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import Api

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_new_account_has_no_lists(api: Api) -> None:
    response = api.request("GET")
    assert response.status_code == 200
    assert response.json() == {"success": True, "errors": [], "messages": [], "result": []}


def test_create_returns_the_list_with_the_reference_fields(api: Api) -> None:
    created = api.create_list("office_ips", "ip", description="Office egress")
    assert re.fullmatch(r"[0-9a-f]{32}", created["id"])
    assert created["name"] == "office_ips"
    assert created["kind"] == "ip"
    assert created["description"] == "Office egress"
    assert created["num_items"] == 0
    assert created["num_referencing_filters"] == 0
    assert RFC3339_UTC.match(created["created_on"]) and RFC3339_UTC.match(created["modified_on"])
    assert api.request("GET").json()["result"] == [created]
    assert api.request("GET", f"/{created['id']}").json()["result"] == created


@pytest.mark.parametrize("kind", ["ip", "hostname", "asn", "redirect"])
def test_every_kind_can_be_created(api: Api, kind: str) -> None:
    assert api.create_list(f"list_{kind}", kind)["kind"] == kind


@pytest.mark.parametrize("name", ["Office", "has-dash", "has space", "", "x" * 51, 42, None])
def test_list_names_must_be_lowercase_alnum_or_underscore_up_to_50(api: Api, name: Any) -> None:
    response = api.request("POST", json={"name": name, "kind": "ip"})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["result"] is None
    assert body["errors"][0]["message"].startswith("name:")


def test_a_50_character_name_is_accepted(api: Api) -> None:
    assert api.create_list("a" * 50)["name"] == "a" * 50


@pytest.mark.parametrize("kind", ["IP", "url", "", None])
def test_unknown_kind_is_rejected(api: Api, kind: Any) -> None:
    response = api.request("POST", json={"name": "l", "kind": kind})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("kind:")


def test_duplicate_name_in_the_same_account_is_rejected(api: Api) -> None:
    api.create_list("dupe")
    response = api.request("POST", json={"name": "dupe", "kind": "asn"})
    assert response.status_code == 400
    assert "already exists" in response.json()["errors"][0]["message"]


def test_lists_are_per_account(api: Api) -> None:
    created = api.create_list("mine")
    assert api.request("GET", account=OTHER_ACCOUNT).json()["result"] == []
    assert api.request("GET", f"/{created['id']}", account=OTHER_ACCOUNT).status_code == 404
    # The same name is free in another account.
    assert api.request("POST", json={"name": "mine", "kind": "ip"}, account=OTHER_ACCOUNT).status_code == 200


def test_description_longer_than_500_characters_is_rejected(api: Api) -> None:
    response = api.request("POST", json={"name": "l", "kind": "ip", "description": "d" * 501})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("description:")


def test_malformed_json_body_is_400(api: Api) -> None:
    response = api.request("POST", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Malformed JSON in request body"


def test_update_changes_the_description_only(api: Api) -> None:
    created = api.create_list("l", description="before")
    response = api.request("PUT", f"/{created['id']}", json={"description": "after", "name": "renamed"})
    assert response.status_code == 200
    updated = response.json()["result"]
    assert updated["description"] == "after"
    assert updated["name"] == "l"
    assert updated["created_on"] == created["created_on"]
    assert updated["modified_on"] >= created["modified_on"]


def test_delete_returns_the_id_and_the_list_is_gone(api: Api) -> None:
    created = api.create_list("doomed")
    response = api.request("DELETE", f"/{created['id']}", json={})
    assert response.status_code == 200
    assert response.json()["result"] == {"id": created["id"]}
    assert api.request("GET", f"/{created['id']}").status_code == 404
    assert api.request("GET").json()["result"] == []


def test_delete_without_a_body_is_accepted(api: Api) -> None:
    created = api.create_list("doomed")
    assert api.request("DELETE", f"/{created['id']}").status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_list_is_404_with_a_lists_error(api: Api, method: str) -> None:
    response = api.request(method, "/" + "0" * 32, json={})
    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False
    assert body["errors"] == [{"code": 10006, "message": "list not found"}]
