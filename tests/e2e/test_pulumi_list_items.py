"""ListItems through the real provider server against the emulator, in the engine's call order: it owns only the
items it declares, and every write is one bulk operation."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    wait_for,
)

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import ListItemsProvider
from pulumi_provider.testing import ProviderCallError, ProviderServer
from tests.e2e.pulumi_engine import (
    EngineResource,
    RecordingApp,
    provider_server,
    recorded_emulator_fixtures,
    stack_config,
)

TOKEN = "pulumi-list-items-token-3e8a51"  # distinctive, so any leak is found by searching for it
THEIRS = {"ip": "203.0.113.50", "comment": "not ours"}


recorded, emulator, recorder = recorded_emulator_fixtures(TOKEN)


@pytest.fixture(scope="module")
def server(emulator: Emulator) -> Iterator[ProviderServer]:
    with provider_server(stack_config(emulator)) as srv:
        yield srv


@pytest.fixture
def list_items(server: ProviderServer) -> EngineResource:
    return EngineResource(server, ListItemsProvider())


@pytest.fixture
def list_id(emulator: Emulator) -> str:
    """A list that already holds an item someone else wrote."""
    new = create_list(emulator)
    wait_for(emulator, append_items(emulator, new, [THEIRS]))
    return new


def held(emulator: Emulator, list_id: str) -> List[Dict[str, Any]]:
    response = call(emulator, "GET", f"/{list_id}/items")
    return [
        {"ip": i["ip"], **({"comment": i["comment"]} if i.get("comment") else {})} for i in response.json()["result"]
    ]


def program(list_id: str, items: List[Any]) -> Dict[str, Any]:
    return {"account_id": ACCOUNT, "list_id": list_id, "items": items}


# ------------------------------------------------------------------------------------------------ lifecycle
def test_create_adds_exactly_its_items_in_one_operation_and_leaves_the_others(
    list_items: EngineResource, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    mark = recorder.mark
    state = list_items.up(program(list_id, ["192.0.2.1/32", {"ip": "192.0.2.2", "comment": "ours"}])).state
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [
        ("POST", [{"ip": "192.0.2.1"}, {"ip": "192.0.2.2", "comment": "ours"}])
    ]
    assert state.outputs["items"] == [{"ip": "192.0.2.1"}, {"ip": "192.0.2.2", "comment": "ours"}]
    assert state.outputs["kind"] == "ip" and state.outputs["bulk_operation"]["succeeded"] is True
    assert THEIRS in held(emulator, list_id)


def test_a_second_up_of_noncanonical_items_has_an_empty_diff(
    list_items: EngineResource, recorder: RecordingApp, list_id: str
) -> None:
    news = program(list_id, ["2001:DB8::1", "192.168.1.5/24"])
    state = list_items.up(news).state
    mark = recorder.mark
    step = list_items.up(news, state)
    assert step.diff is not None and (step.diff.changes, step.diff.replaces) == ("none", [])
    assert recorder.since(mark) == []


def test_update_posts_its_additions_and_updates_then_deletes_its_dropped_items_and_touches_no_other(
    list_items: EngineResource, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1", "192.0.2.2", "192.0.2.3"])).state
    ids_before = {i["ip"]: i["id"] for i in call(emulator, "GET", f"/{list_id}/items").json()["result"]}
    mark = recorder.mark
    news = program(list_id, [{"ip": "192.0.2.1", "comment": "now explained"}, "192.0.2.3", "192.0.2.4"])
    step = list_items.up(news, state)
    assert step.diff is not None and (step.diff.changes, step.diff.replaces) == ("some", [])
    writes = recorder.writes(mark)
    assert [w.method for w in writes] == ["POST", "DELETE"]  # additions first: never less than both versions
    assert writes[0].body == [{"ip": "192.0.2.4"}, {"ip": "192.0.2.1", "comment": "now explained"}]
    assert writes[1].body == {"items": [{"id": ids_before["192.0.2.2"]}]}
    ids_after = {i["ip"]: i["id"] for i in call(emulator, "GET", f"/{list_id}/items").json()["result"]}
    assert ids_after[THEIRS["ip"]] == ids_before[THEIRS["ip"]] and ids_after["192.0.2.3"] == ids_before["192.0.2.3"]
    expected = [{"ip": "192.0.2.1", "comment": "now explained"}, {"ip": "192.0.2.3"}, {"ip": "192.0.2.4"}]
    assert step.state.outputs["items"] == expected
    assert sorted(held(emulator, list_id), key=json.dumps) == sorted([*expected, THEIRS], key=json.dumps)


def test_changing_one_comment_is_one_operation_with_exactly_that_item(
    list_items: EngineResource, recorder: RecordingApp, list_id: str
) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1", "192.0.2.2"])).state
    mark = recorder.mark
    list_items.up(program(list_id, ["192.0.2.1", {"ip": "192.0.2.2", "comment": "why"}]), state)
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [("POST", [{"ip": "192.0.2.2", "comment": "why"}])]


def test_refresh_reports_which_of_its_items_still_exist_and_the_next_up_restores_them(
    list_items: EngineResource, emulator: Emulator, list_id: str
) -> None:
    news = program(list_id, ["192.0.2.1", "192.0.2.2"])
    state = list_items.up(news).state
    ours = {i["ip"]: i["id"] for i in call(emulator, "GET", f"/{list_id}/items").json()["result"]}
    removed = call(emulator, "DELETE", f"/{list_id}/items", {"items": [{"id": ours["192.0.2.2"]}]})
    wait_for(emulator, removed.json()["result"]["operation_id"])
    refreshed = list_items.refresh(state)
    assert refreshed is not None and refreshed.outputs["items"] == [{"ip": "192.0.2.1"}]
    step = list_items.up(news, refreshed)
    assert step.diff is not None and step.diff.changes == "some"
    assert step.state.outputs["items"] == [{"ip": "192.0.2.1"}, {"ip": "192.0.2.2"}]


def test_delete_removes_only_its_own_items(
    list_items: EngineResource, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1", "192.0.2.2"])).state
    mark = recorder.mark
    list_items.destroy(state)
    assert [w.method for w in recorder.writes(mark)] == ["DELETE"]
    assert held(emulator, list_id) == [THEIRS]


def test_two_list_items_on_one_list_keep_to_their_own(
    list_items: EngineResource, emulator: Emulator, list_id: str
) -> None:
    first = list_items.up(program(list_id, ["192.0.2.1", "192.0.2.2"])).state
    second = list_items.up(program(list_id, ["198.51.100.1"])).state
    first = list_items.up(program(list_id, ["192.0.2.1"]), first).state  # drops one of its own
    refreshed = list_items.refresh(second)
    assert refreshed is not None and refreshed.outputs["items"] == [{"ip": "198.51.100.1"}]
    list_items.destroy(first)
    assert sorted(held(emulator, list_id), key=json.dumps) == sorted([{"ip": "198.51.100.1"}, THEIRS], key=json.dumps)


def test_changing_the_list_replaces(list_items: EngineResource, emulator: Emulator, list_id: str) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1"])).state
    diff = list_items.diff(state, program(create_list(emulator), ["192.0.2.1"]))
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == ("some", ["list_id"], False)


def test_items_of_another_kind_fail_before_any_write(
    list_items: EngineResource, recorder: RecordingApp, list_id: str
) -> None:
    mark = recorder.mark
    with pytest.raises(ProviderCallError) as caught:
        list_items.up(program(list_id, [13335]))
    assert "items[0]: a list of kind 'ip' holds no 'asn' items" in caught.value.message
    assert recorder.writes(mark) == []


def test_refresh_reports_it_gone_once_its_list_is_deleted(
    list_items: EngineResource, emulator: Emulator, list_id: str
) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1"])).state
    assert call(emulator, "DELETE", f"/{list_id}").status_code == 200
    assert list_items.refresh(state) is None
    list_items.destroy(state)  # nothing left to remove


# ------------------------------------------------------------------------------------------------ concurrency
def test_ten_list_items_writing_to_one_list_at_once_all_succeed_with_no_429(
    server: ProviderServer, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    resource = EngineResource(server, ListItemsProvider())
    checked = [resource.checked(program(list_id, [f"198.51.100.{n}", f"198.51.100.{n + 100}"])) for n in range(10)]
    mark, throttled_before = recorder.mark, dict(emulator.throttled_counts)
    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(server.create, checked))
    assert recorder.throttled(mark) == []
    assert emulator.throttled_counts == throttled_before  # the emulator's own count of 429s, by kind, agrees
    assert len(recorder.writes(mark)) == 10
    assert all(outs["bulk_operation"]["succeeded"] for _, outs in created)
    assert len(held(emulator, list_id)) == 21  # theirs, and two of each


# ------------------------------------------------------------------------------------------------ secrets
def test_nothing_secret_reaches_any_property_the_engine_stores(emulator: Emulator, list_id: str) -> None:
    seen: List[Any] = []
    with provider_server(stack_config(emulator)) as srv:
        resource = EngineResource(srv, ListItemsProvider())
        state = resource.up(program(list_id, ["192.0.2.1"])).state
        step = resource.up(program(list_id, ["192.0.2.2"]), state)
        refreshed = resource.refresh(step.state)
        seen += [state.inputs, state.outputs, step.state.outputs, refreshed]
        with pytest.raises(ProviderCallError) as failed:
            resource.up(program(list_id, ["*.example.com"]))
        resource.destroy(step.state)
        seen += [failed.value.details, srv.stderr]
    assert TOKEN not in json.dumps(seen, default=str)
    assert TOKEN.encode() not in base64.b64decode(state.outputs["__provider"])


def test_no_items_where_it_owned_some_fail_check_unless_allow_empty(
    list_items: EngineResource, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    state = list_items.up(program(list_id, ["192.0.2.1", "192.0.2.2"])).state
    mark = recorder.mark
    checked = list_items.check(program(list_id, []), state.inputs)
    assert [name for name, _reason in checked.failures] == ["items"]
    assert recorder.writes(mark) == []
    emptied = list_items.up({**program(list_id, []), "allow_empty": True}, state)
    assert emptied.state.outputs["items"] == []
    assert held(emulator, list_id) == [THEIRS]  # only its own items went
