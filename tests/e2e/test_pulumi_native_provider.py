"""The native provider as the engine runs it: the installed ``pulumi-resource-cloudflare-lists``, over gRPC, against
the emulator. Each resource's check, diff (detailed), create, read, update and delete, previews that write nothing,
imports by id, the provider's configuration, errors as a user reads them, and no credential in any answer."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    wait_for,
    write_items,
)

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider.testing import ProviderCallError
from tests.e2e.native_provider import (
    BULK_OPERATION,
    LIST_ITEMS,
    PLUGIN,
    RULES_LIST,
    NativeServer,
    Resource,
    Secret,
    State,
    Unknown,
    unsecret,
)
from tests.e2e.pulumi_engine import ACCOUNT, BAD_ITEMS, GOOD_ITEMS, RecordingApp, clean_env, recorded_emulator_fixtures

TOKEN = "native-provider-token-9c41d7"  # distinctive, so any leak is found by searching for it
THEIRS = {"ip": "203.0.113.50", "comment": "not ours"}
_names = iter(range(10_000))


recorded, emulator, recorder = recorded_emulator_fixtures(TOKEN)


@pytest.fixture(scope="module")
def server(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeServer]:
    """The plugin, configured as the engine configures a provider whose apiToken is a secret."""
    with NativeServer(env=clean_env(), cwd=str(tmp_path_factory.mktemp("program"))) as srv:
        srv.configure({"apiToken": Secret(TOKEN), "baseUrl": emulator.base_url})
        yield srv


@pytest.fixture
def rules_list(server: NativeServer) -> Resource:
    return Resource(server, RULES_LIST)


@pytest.fixture
def list_items(server: NativeServer) -> Resource:
    return Resource(server, LIST_ITEMS)


def a_list(**inputs: Any) -> Dict[str, Any]:
    return {"accountId": ACCOUNT, "name": f"native_{next(_names)}", "kind": "ip", **inputs}


def held(emulator: Emulator, list_id: str) -> List[Dict[str, Any]]:
    response = call(emulator, "GET", f"/{list_id}/items")
    return [
        {"ip": i["ip"], **({"comment": i["comment"]} if i.get("comment") else {})} for i in response.json()["result"]
    ]


def exists(emulator: Emulator, list_id: str) -> bool:
    return call(emulator, "GET", f"/{list_id}").status_code == 200


def assert_no_token(*values: Any) -> None:
    assert TOKEN not in json.dumps([unsecret(value) for value in values], default=repr)


# ------------------------------------------------------------------------------------------------ the plugin
def test_the_installed_plugin_serves_the_package_schema(server: NativeServer) -> None:
    assert PLUGIN.name == "pulumi-resource-cloudflare-lists" and PLUGIN.exists()
    schema = server.get_schema()
    assert schema["name"] == "cloudflare-lists" and schema["version"] == server.get_plugin_info()
    assert sorted(schema["resources"]) == sorted([RULES_LIST, LIST_ITEMS, BULK_OPERATION])
    assert schema["config"]["variables"]["apiToken"]["secret"] is True


def test_configuration_marks_credentials_secret_and_refuses_unknown_keys(server: NativeServer) -> None:
    checked = server.check_config({"apiToken": TOKEN, "baseUrl": "https://api.example.test", "region": "eu"})
    assert checked.inputs["apiToken"] == Secret(TOKEN)  # set in plain text, still stored encrypted
    assert checked.inputs["baseUrl"] == "https://api.example.test"
    assert [prop for prop, _ in checked.failures] == ["region"]
    assert "apiToken, email, apiKey, baseUrl" in checked.failures[0][1]


def test_without_credentials_a_call_says_which_settings_to_give(emulator: Emulator) -> None:
    with NativeServer(env=clean_env()) as bare:
        bare.configure({"baseUrl": emulator.base_url})
        with pytest.raises(ProviderCallError) as caught:
            Resource(bare, RULES_LIST).up(a_list())
    details = caught.value.details
    assert "cloudflare-lists:apiToken" in details and "CLOUDFLARE_API_TOKEN" in details
    assert "api_token" not in details and "Traceback" not in details


def test_credentials_and_account_come_from_the_environment_without_configuration(emulator: Emulator) -> None:
    env = clean_env(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_BASE_URL=emulator.base_url, CLOUDFLARE_ACCOUNT_ID=ACCOUNT)
    with NativeServer(env=env) as from_env:
        from_env.configure({})
        resource = Resource(from_env, RULES_LIST)
        _, state = resource.up({"name": f"native_env_{next(_names)}", "kind": "asn", "items": ["AS13335"]})
        assert state.outputs["accountId"] == ACCOUNT and state.outputs["items"] == [{"asn": 13335}]
        id_, _, inputs = from_env.read(RULES_LIST, state.id)  # an import by the list's id alone
        assert id_ == state.id and inputs["accountId"] == ACCOUNT and inputs["items"] == [{"asn": 13335}]
        resource.destroy(state)
    assert not exists(emulator, state.id)


# ------------------------------------------------------------------------------------------------ RulesList
def test_check_records_items_canonical_and_names_every_bad_input_in_camel_case(rules_list: Resource) -> None:
    checked = rules_list.checked(a_list(items=["198.51.100.7/32", {"ip": "2001:DB8::1", "comment": "v6"}]))
    assert sorted(checked["items"], key=lambda item: item["ip"]) == [
        {"ip": "198.51.100.7"},
        {"ip": "2001:db8::1", "comment": "v6"},
    ]
    assert (checked["waitTimeout"], checked["allowEmpty"]) == (900, False)
    outcome = rules_list.server.check(
        RULES_LIST, {"accountId": "x", "name": "a b", "kind": "ip", "items": ["300.1.1.1", "1.2.3.4/7"], "colour": 1}
    )
    # As the engine shows them: a property and its problem, or an item's place and problem under the resource.
    assert [prop for prop, _ in outcome.failures] == ["colour", "accountId", "name", "", ""]
    reasons = [reason for _, reason in outcome.failures]
    assert reasons[1].startswith("expected the 32 hexadecimal characters")
    assert reasons[3].startswith("items[0]: '300.1.1.1'") and reasons[4].startswith("items[1]: '1.2.3.4/7'")
    assert "waitTimeout" in reasons[0]


def test_a_preview_of_a_create_writes_nothing_and_returns_no_id(
    rules_list: Resource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = a_list(items=["192.0.2.1"])
    mark = recorder.mark
    id_, outs = rules_list.server.create(RULES_LIST, rules_list.checked(news), preview=True)
    assert id_ == "" and outs["listId"] == Unknown() and outs["bulkOperation"] == Unknown()
    assert outs["items"] == [{"ip": "192.0.2.1"}] and outs["name"] == news["name"]
    assert [r.method for r in recorder.since(mark)] == []


def test_create_then_an_unchanged_noncanonical_program_has_no_diff(
    rules_list: Resource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = a_list(description="edge", items=["198.51.100.7/32", "2001:DB8::1", {"ip": "192.0.2.0/24", "comment": "x"}])
    mark = recorder.mark
    _, state = rules_list.up(news)
    assert [(w.method, len(w.body)) for w in recorder.writes(mark)] == [("POST", 3)]
    assert state.id == state.outputs["listId"] and state.outputs["numItems"] == 3
    assert state.outputs["bulkOperation"]["succeeded"] is True and "completedAt" in state.outputs["bulkOperation"]
    mark = recorder.mark
    diff, _ = rules_list.up(news, state)
    assert diff is not None and (diff.changes, diff.detailed) == ("none", {})
    assert recorder.since(mark) == []
    rules_list.destroy(state)


def test_one_item_changed_is_named_in_the_diff_previewed_without_a_write_and_written_alone(
    rules_list: Resource, recorder: RecordingApp
) -> None:
    items: List[Any] = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    _, state = rules_list.up(a_list(items=items))
    news = {**state.inputs, "items": ["192.0.2.1", {"ip": "192.0.2.2", "comment": "why"}, "192.0.2.3"]}
    diff = rules_list.diff(state, news)
    index = [item["ip"] for item in rules_list.checked(news)["items"]].index("192.0.2.2")
    assert (diff.changes, diff.diffs, diff.detailed) == ("some", ["items"], {f"items[{index}]": "update"})
    mark = recorder.mark
    predicted = rules_list.server.update(RULES_LIST, state.id, state.outputs, rules_list.checked(news), preview=True)
    assert recorder.since(mark) == []
    assert predicted["listId"] == state.id and predicted["bulkOperation"] == Unknown()
    _, after = rules_list.up(news, state)
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [("POST", [{"ip": "192.0.2.2", "comment": "why"}])]
    assert {"ip": "192.0.2.2", "comment": "why"} in after.outputs["items"]
    rules_list.destroy(after)


def test_drift_shows_on_refresh_the_diff_names_the_drifted_items_and_up_restores(
    rules_list: Resource, emulator: Emulator
) -> None:
    news = a_list(items=["192.0.2.1", "192.0.2.2"])
    _, state = rules_list.up(news)
    wait_for(emulator, append_items(emulator, state.id, [{"ip": "198.51.100.9"}]))
    refreshed = rules_list.refresh(state)
    assert refreshed is not None and {"ip": "198.51.100.9"} in refreshed.outputs["items"]
    diff = rules_list.diff(refreshed, news)
    drifted = [item["ip"] for item in refreshed.outputs["items"]].index("198.51.100.9")
    assert diff.detailed == {f"items[{drifted}]": "delete"}
    _, restored = rules_list.up(news, refreshed)
    assert held(emulator, state.id) == [{"ip": "192.0.2.1"}, {"ip": "192.0.2.2"}]
    rules_list.destroy(restored)


def test_import_by_id_reads_the_list_and_its_inputs_which_then_show_no_changes(
    rules_list: Resource, emulator: Emulator, recorder: RecordingApp
) -> None:
    list_id = create_list(emulator, f"native_import_{next(_names)}")
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "192.0.2.7", "comment": "kept"}, {"ip": "10.0.0.0/8"}]))
    mark = recorder.mark
    id_, outs, inputs = rules_list.server.read(RULES_LIST, f"{ACCOUNT}/{list_id}")
    assert id_ == list_id and outs["listId"] == list_id and outs["numItems"] == 2
    assert set(inputs) == {"accountId", "name", "kind", "items"}
    assert [r.method for r in recorder.since(mark)] == ["GET", "GET"]  # the list, its items
    checked = rules_list.checked(inputs, inputs)
    assert rules_list.server.diff(RULES_LIST, id_, outs, checked).changes == "none"
    rules_list.destroy(State(id_, checked, outs))
    assert not exists(emulator, list_id)


def test_import_of_a_missing_list_fails_saying_so(rules_list: Resource) -> None:
    with pytest.raises(ProviderCallError) as caught:
        rules_list.server.read(RULES_LIST, f"{ACCOUNT}/{'0' * 32}")
    assert "nothing was imported" in caught.value.details and "Traceback" not in caught.value.details


def test_a_new_name_replaces_deleting_first(rules_list: Resource) -> None:
    _, state = rules_list.up(a_list())
    diff = rules_list.diff(state, {**state.inputs, "name": "native_renamed"})
    assert (diff.replaces, diff.delete_before_replace, diff.detailed) == (["name"], False, {"name": "update_replace"})
    diff = rules_list.diff(state, {**state.inputs, "kind": "asn"})
    assert (diff.replaces, diff.delete_before_replace) == (["kind"], True)
    rules_list.destroy(state)


def test_guards_refuse_before_any_write(rules_list: Resource, recorder: RecordingApp) -> None:
    _, state = rules_list.up(a_list(items=["192.0.2.1", "192.0.2.2", "192.0.2.3"]))
    mark = recorder.mark
    empty = rules_list.server.check(RULES_LIST, {**state.inputs, "items": []}, state.inputs)
    with pytest.raises(ProviderCallError) as many:
        rules_list.up({**state.inputs, "items": ["192.0.2.1"], "maxRemovals": 1}, state)
    assert recorder.writes(mark) == []
    [(prop, reason)] = empty.failures
    assert prop == "items" and "allowEmpty" in reason and "allow_empty" not in reason
    assert "maxRemovals" in many.value.details and "Traceback" not in many.value.details
    rules_list.destroy(state)


def test_refresh_of_a_deleted_list_reports_it_gone(rules_list: Resource, emulator: Emulator) -> None:
    _, state = rules_list.up(a_list())
    assert call(emulator, "DELETE", f"/{state.id}").status_code == 200
    assert rules_list.refresh(state) is None


# ------------------------------------------------------------------------------------------------ ListItems
@pytest.fixture
def list_id(emulator: Emulator) -> str:
    """A list that already holds an item someone else wrote."""
    new = create_list(emulator)
    wait_for(emulator, append_items(emulator, new, [THEIRS]))
    return new


def items_of(list_id: str, items: List[Any]) -> Dict[str, Any]:
    return {"accountId": ACCOUNT, "listId": list_id, "items": items}


def test_list_items_lifecycle_keeps_to_its_own_items(
    list_items: Resource, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    news = items_of(list_id, ["192.0.2.1/32", {"ip": "192.0.2.2", "comment": "ours"}])
    mark = recorder.mark
    _, state = list_items.up(news)
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [
        ("POST", [{"ip": "192.0.2.1"}, {"ip": "192.0.2.2", "comment": "ours"}])
    ]
    assert state.outputs["kind"] == "ip" and state.id.startswith(f"{list_id}/")
    diff, state = list_items.up(news, state)
    assert diff is not None and diff.changes == "none"
    edited = items_of(list_id, ["192.0.2.1", {"ip": "192.0.2.2", "comment": "still ours"}, "192.0.2.3"])
    diff = list_items.diff(state, edited)
    assert sorted(diff.detailed.values()) == ["add", "update"]
    mark = recorder.mark
    _, state = list_items.up(edited, state)
    assert [(w.method, len(w.body)) for w in recorder.writes(mark)] == [("POST", 2)]
    refreshed = list_items.refresh(state)
    assert refreshed is not None and refreshed.outputs["items"] == state.outputs["items"]
    mark = recorder.mark
    list_items.destroy(state)
    assert [w.method for w in recorder.writes(mark)] == ["DELETE"]
    assert held(emulator, list_id) == [THEIRS]


def test_list_items_preview_writes_nothing_and_knows_no_id(
    list_items: Resource, recorder: RecordingApp, list_id: str
) -> None:
    mark = recorder.mark
    id_, outs = list_items.server.create(LIST_ITEMS, list_items.checked(items_of(list_id, ["192.0.2.1"])), preview=True)
    assert id_ == "" and outs["kind"] == Unknown() and recorder.since(mark) == []


def test_list_items_import_is_refused_saying_what_to_do_instead(list_items: Resource, list_id: str) -> None:
    with pytest.raises(ProviderCallError) as caught:
        list_items.server.read(LIST_ITEMS, list_id)
    assert "can't be imported" in caught.value.details and "RulesList" in caught.value.details


# ------------------------------------------------------------------------------------------------ BulkOperation
def operation_inputs(emulator: Emulator, items: List[Dict[str, Any]], **more: Any) -> Dict[str, Any]:
    return {"accountId": ACCOUNT, "operationId": write_items(emulator, items), **more}


def test_bulk_operation_waits_records_facts_refreshes_and_imports(server: NativeServer, emulator: Emulator) -> None:
    resource = Resource(server, BULK_OPERATION)
    news = operation_inputs(emulator, GOOD_ITEMS)
    _, state = resource.up(news)
    assert state.id == news["operationId"]
    assert (state.outputs["status"], state.outputs["succeeded"], state.outputs["finished"]) == ("completed", True, True)
    assert state.outputs["completedAt"].endswith("Z") and state.outputs["waitMaxInterval"] == 30
    diff, _ = resource.up(news, state)
    assert diff is not None and diff.changes == "none"
    refreshed = resource.refresh(state)
    assert refreshed is not None and refreshed.outputs["status"] == "completed"
    id_, outs, inputs = server.read(BULK_OPERATION, f"{ACCOUNT}/{state.id}")
    assert (id_, inputs, outs["status"]) == (state.id, {"accountId": ACCOUNT, "operationId": state.id}, "completed")
    resource.destroy(state)  # no call: the operation is Cloudflare's record


def test_a_failed_operation_fails_with_cloudflares_reason_and_no_traceback(
    server: NativeServer, emulator: Emulator
) -> None:
    with pytest.raises(ProviderCallError) as caught:
        Resource(server, BULK_OPERATION).up(operation_inputs(emulator, BAD_ITEMS))
    details = caught.value.details
    assert "failed" in details and "failOnOperationFailure" in details
    assert "Traceback" not in details and "fail_on_operation_failure" not in details
    _, state = Resource(server, BULK_OPERATION).up(operation_inputs(emulator, BAD_ITEMS, failOnOperationFailure=False))
    assert (state.outputs["status"], state.outputs["succeeded"]) == ("failed", False) and state.outputs["error"]


# ------------------------------------------------------------------------------------------------ across them
def test_lists_created_at_once_all_succeed_with_no_429(
    server: NativeServer, emulator: Emulator, recorder: RecordingApp
) -> None:
    resource = Resource(server, RULES_LIST)
    programs = [a_list(items=[f"198.51.100.{n}", f"192.0.2.{n}"]) for n in range(5)]
    mark = recorder.mark
    with ThreadPoolExecutor(max_workers=5) as pool:
        states = [state for _, state in pool.map(resource.up, programs)]
    assert recorder.throttled(mark) == []
    assert len(recorder.writes(mark)) == 5
    for state in states:
        assert state.outputs["numItems"] == 2
        resource.destroy(state)


def test_no_answer_holds_the_token(server: NativeServer, emulator: Emulator, list_id: str) -> None:
    rules = Resource(server, RULES_LIST)
    _, listed = rules.up(a_list(items=["192.0.2.1"]))
    _, owned = Resource(server, LIST_ITEMS).up(items_of(list_id, ["192.0.2.9"]))
    _, waited = Resource(server, BULK_OPERATION).up(operation_inputs(emulator, GOOD_ITEMS))
    assert_no_token(
        listed, owned, waited, rules.refresh(listed), server.read(RULES_LIST, f"{ACCOUNT}/{listed.id}"), server.stderr
    )
    rules.destroy(listed)
