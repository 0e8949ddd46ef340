"""RulesList through the real provider server (``python -m pulumi.dynamic``) against the emulator, in the engine's
call order: Configure, Check, Diff, Create or Update, Read, Delete."""

from __future__ import annotations

import base64
import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, create_list, wait_for

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import RulesListProvider
from pulumi_provider.testing import ProviderCallError, ProviderServer
from tests.e2e.pulumi_engine import (
    EngineResource,
    RecordingApp,
    clean_env,
    provider_server,
    recorded_emulator_fixtures,
    recording_emulator,
    stack_config,
    without_provider,
)

TOKEN = "pulumi-rules-list-token-91c4e7"  # distinctive, so any leak is found by searching for it
# As a program writes them; Cloudflare stores 10.0.0.1, 2001:db8::1 and 192.168.1.0/24.
WRITTEN = ["10.0.0.1/32", {"ip": "2001:DB8::1", "comment": "office"}, "192.168.1.5/24"]
CANONICAL = [{"ip": "10.0.0.1"}, {"ip": "192.168.1.0/24"}, {"ip": "2001:db8::1", "comment": "office"}]
IN_PROGRAM_ORDER = [CANONICAL[0], CANONICAL[2], CANONICAL[1]]  # recorded canonical, in the order written
_names = itertools.count()


recorded, emulator, recorder = recorded_emulator_fixtures(TOKEN)


@pytest.fixture(scope="module")
def server(emulator: Emulator) -> Iterator[ProviderServer]:
    with provider_server(stack_config(emulator)) as srv:
        yield srv


@pytest.fixture
def rules_list(server: ProviderServer) -> EngineResource:
    return EngineResource(server, RulesListProvider())


def program(**inputs: Any) -> Dict[str, Any]:
    return {"account_id": ACCOUNT, "name": f"pulumi_list_{next(_names)}", "kind": "ip", **inputs}


def held(emulator: Emulator, name: str) -> List[Dict[str, Any]]:
    """The list's items as the emulator holds them, in the user's shape."""
    items = emulator.lists(ACCOUNT)[name]["items"]
    return [{"ip": i["ip"], **({"comment": i["comment"]} if i.get("comment") else {})} for i in items]


def held_with_ids(emulator: Emulator, name: str) -> List[Dict[str, Any]]:
    return list(emulator.lists(ACCOUNT)[name]["items"])


# ------------------------------------------------------------------------------------------------ lifecycle
def test_create_writes_every_item_in_one_operation_and_records_them_canonical(
    rules_list: EngineResource, emulator: Emulator, recorder: RecordingApp
) -> None:
    mark = recorder.mark
    news = program(description="blocked", items=WRITTEN)
    state = rules_list.up(news).state
    writes = recorder.writes(mark)
    assert [(w.method, len(w.body)) for w in writes] == [("POST", 3)]
    outs = state.outputs
    assert (outs["name"], outs["kind"], outs["description"], outs["num_items"]) == (news["name"], "ip", "blocked", 3)
    assert outs["items"] == IN_PROGRAM_ORDER
    assert state.id == outs["list_id"] == emulator.lists(ACCOUNT)[news["name"]]["id"]
    assert outs["bulk_operation"]["status"] == "completed" and outs["bulk_operation"]["succeeded"] is True
    assert sorted(held(emulator, news["name"]), key=json.dumps) == sorted(CANONICAL, key=json.dumps)


def test_a_second_up_of_the_same_noncanonical_program_has_an_empty_diff(
    rules_list: EngineResource, recorder: RecordingApp
) -> None:
    news = program(items=list(reversed(WRITTEN)))
    state = rules_list.up(news).state
    mark = recorder.mark
    step = rules_list.up(news, state)
    assert step.diff is not None and (step.diff.changes, step.diff.replaces) == ("none", [])
    assert recorder.since(mark) == []  # a diff makes no API call


def test_check_records_the_items_canonical_so_a_preview_shows_only_real_changes(rules_list: EngineResource) -> None:
    inputs = rules_list.checked(program(items=WRITTEN))
    assert inputs["items"] == IN_PROGRAM_ORDER


def test_changing_one_item_updates_in_place_writing_only_that_change(
    rules_list: EngineResource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = program(items=["192.0.2.1", "192.0.2.2"])
    state = rules_list.up(news).state
    kept_id = {i["ip"]: i["id"] for i in held_with_ids(emulator, news["name"])}["192.0.2.1"]
    mark = recorder.mark
    step = rules_list.up({**news, "items": ["192.0.2.1", {"ip": "192.0.2.3", "comment": "new"}]}, state)
    assert step.diff is not None and (step.diff.changes, step.diff.replaces) == ("some", [])
    writes = recorder.writes(mark)
    assert (writes[0].method, writes[0].body) == ("POST", [{"ip": "192.0.2.3", "comment": "new"}])
    assert [w.method for w in writes] == ["POST", "DELETE"]
    assert {i["ip"]: i["id"] for i in held_with_ids(emulator, news["name"])}["192.0.2.1"] == kept_id
    assert step.state.id == state.id
    assert step.state.outputs["items"] == [{"ip": "192.0.2.1"}, {"ip": "192.0.2.3", "comment": "new"}]
    assert step.state.outputs["bulk_operation"]["id"] != state.outputs["bulk_operation"]["id"]
    assert held(emulator, news["name"]) == step.state.outputs["items"]


def test_changing_the_description_updates_in_place_without_a_bulk_operation(
    rules_list: EngineResource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = program(items=["192.0.2.1"])
    state = rules_list.up(news).state
    mark = recorder.mark
    step = rules_list.up({**news, "description": "now described"}, state)
    assert recorder.writes(mark) == []
    assert step.state.outputs["description"] == emulator.lists(ACCOUNT)[news["name"]]["description"]
    assert step.state.outputs["description"] == "now described"
    assert step.state.outputs["bulk_operation"] == state.outputs["bulk_operation"]


def test_refresh_shows_items_changed_elsewhere_and_the_next_up_puts_them_back(
    rules_list: EngineResource, emulator: Emulator
) -> None:
    news = program(items=["192.0.2.1"])
    state = rules_list.up(news).state
    wait_for(emulator, append_items(emulator, state.id, [{"ip": "203.0.113.7", "comment": "by hand"}]))
    refreshed = rules_list.refresh(state)
    assert refreshed is not None
    assert refreshed.outputs["items"] == [{"ip": "192.0.2.1"}, {"ip": "203.0.113.7", "comment": "by hand"}]
    assert refreshed.outputs["num_items"] == 2
    step = rules_list.up(news, refreshed)
    assert step.diff is not None and step.diff.changes == "some"
    assert step.state.outputs["items"] == [{"ip": "192.0.2.1"}] == held(emulator, news["name"])


def test_without_items_the_list_items_are_left_alone(rules_list: EngineResource, emulator: Emulator) -> None:
    news = program()
    state = rules_list.up(news).state
    assert state.outputs["items"] == []
    wait_for(emulator, append_items(emulator, state.id, [{"ip": "203.0.113.8"}]))
    refreshed = rules_list.refresh(state)
    assert refreshed is not None and refreshed.outputs["items"] == [{"ip": "203.0.113.8"}]
    assert rules_list.diff(refreshed, news).changes == "none"


@pytest.mark.parametrize(("name", "value"), [("name", "another_name"), ("kind", "asn"), ("account_id", "0" * 32)])
def test_changing_account_name_or_kind_replaces(rules_list: EngineResource, name: str, value: str) -> None:
    news = program(items=["192.0.2.1"])
    state = rules_list.up(news).state
    diff = rules_list.diff(state, {**news, name: value, "items": [13335] if name == "kind" else news["items"]})
    assert (diff.changes, diff.replaces) == ("some", [name])
    # Two lists of one name would be ambiguous: the old one goes first only when the name stays.
    assert diff.delete_before_replace is (name == "kind")


def test_delete_removes_the_list_and_a_second_delete_is_harmless(
    rules_list: EngineResource, emulator: Emulator
) -> None:
    news = program(items=["192.0.2.1"])
    state = rules_list.up(news).state
    rules_list.destroy(state)
    assert news["name"] not in emulator.lists(ACCOUNT)
    rules_list.destroy(state)
    assert rules_list.refresh(state) is None  # refresh reports it gone


def test_an_asn_list_round_trips_its_numbers(rules_list: EngineResource) -> None:
    news = program(kind="asn", items=["AS13335", {"asn": 209242, "comment": "cloudflare"}])
    state = rules_list.up(news).state
    assert state.outputs["items"] == [{"asn": 13335}, {"asn": 209242, "comment": "cloudflare"}]
    assert rules_list.up(news, state).diff.changes == "none"  # type: ignore[union-attr]
    refreshed = rules_list.refresh(state)
    assert refreshed is not None and rules_list.diff(refreshed, news).changes == "none"


def test_get_adopts_an_existing_list_by_its_id(rules_list: EngineResource, emulator: Emulator) -> None:
    news = program(description="made elsewhere", items=["192.0.2.9"])
    state = rules_list.up(news).state
    id_, outs = rules_list.get(state.id, {"account_id": ACCOUNT})
    assert id_ == state.id
    # Everything but the facts of a write it never made, and whether a program gives its items (no program does).
    expected = {
        k: v for k, v in without_provider(state.outputs).items() if k not in {"bulk_operation", "manages_items"}
    }
    assert without_provider(outs) == expected


def test_create_refuses_a_name_the_account_already_uses(rules_list: EngineResource) -> None:
    news = program()
    rules_list.up(news)
    with pytest.raises(ProviderCallError) as caught:
        rules_list.up(news)
    assert f"already has a list named {news['name']!r}" in caught.value.message
    assert "adopt" in caught.value.message


# ------------------------------------------------------------------------------------------------ check
def test_check_names_each_bad_item_by_its_index(rules_list: EngineResource) -> None:
    checked = rules_list.check(program(items=["192.0.2.1", "10.0.0.0/7", "192.0.2.1/32"]))
    # No property: the engine shows the reason alone ("resource 'x' has a problem: items[1]: ..."), each bad item
    # as its own failure.
    assert [reason.partition(":")[0] for where, reason in checked.failures if where == ""] == ["items[1]", "items[2]"]
    assert checked.failures[0][1].startswith("items[1]: '10.0.0.0/7': Cloudflare accepts IPv4 prefixes from /8 to /32")
    checked = rules_list.check(program(items=["192.0.2.1", "192.0.2.1/32"]))
    [(where, reason)] = checked.failures
    assert where == "" and reason.startswith("items[1]: ") and "the same ip as items[0]" in reason


def test_check_reports_bad_list_properties(rules_list: EngineResource) -> None:
    checked = rules_list.check({"account_id": "nope", "name": "bad name", "kind": "url", "description": 5})
    assert sorted(dict(checked.failures)) == ["account_id", "description", "kind", "name"]


def test_account_id_comes_from_cloudflare_account_id_when_not_given(emulator: Emulator) -> None:
    env = clean_env(CLOUDFLARE_ACCOUNT_ID=ACCOUNT)
    with provider_server(stack_config(emulator), env=env) as srv:
        resource = EngineResource(srv, RulesListProvider())
        news = program()
        del news["account_id"]
        state = resource.up(news).state
    assert state.inputs["account_id"] == state.outputs["account_id"] == ACCOUNT


# ------------------------------------------------------------------------------------------------ failures
def test_a_failed_operation_fails_create_with_cloudflares_text_and_leaves_no_list() -> None:
    full = EmulatorConfig(token=TOKEN, pending_seconds=0.05, running_seconds=0.05, max_items_per_account=2)
    with Emulator(full) as emulator, provider_server(stack_config(emulator)) as srv:
        news = program(items=["192.0.2.1", "192.0.2.2", "192.0.2.3"])
        with pytest.raises(ProviderCallError) as caught:
            EngineResource(srv, RulesListProvider()).up(news)
        assert news["name"] not in emulator.lists(ACCOUNT)
    message = caught.value.message
    assert message.startswith("The POST of 3 items to list")
    assert "maximum number of items" in message
    assert "was deleted again, so the account is as it was" in message


def test_a_write_meeting_another_processs_operation_waits_for_it_and_succeeds() -> None:
    slow = EmulatorConfig(token=TOKEN, pending_seconds=0.5, running_seconds=0.5)
    emulator, recorder = recording_emulator(slow)
    with emulator, provider_server(stack_config(emulator)) as srv:
        resource = EngineResource(srv, RulesListProvider())
        news = program(items=["192.0.2.1"])
        state = resource.up(news).state
        mark = recorder.mark
        append_items(emulator, state.id, [{"ip": "203.0.113.1"}])  # another process's write, 1 s to run
        step = resource.up({**news, "items": ["192.0.2.2"]}, state)
        pending_429s = emulator.throttled_counts.get("operation_pending")
    assert [r.method for r in recorder.throttled(mark)] != [] and pending_429s  # it met the other write's 429...
    assert step.state.outputs["items"] == [{"ip": "192.0.2.2"}]  # ...waited, and then wrote


# ------------------------------------------------------------------------------------------------ concurrency
def test_ten_resources_writing_to_one_account_at_once_all_succeed_with_no_429(
    emulator: Emulator, recorder: RecordingApp
) -> None:
    programs = [program(items=[f"198.51.100.{n}", f"203.0.113.{n}"]) for n in range(10)]
    mark, throttled_before = recorder.mark, dict(emulator.throttled_counts)
    # One provider process, as the engine runs all of a program's dynamic resources; it serves 4 calls at once.
    with provider_server(stack_config(emulator)) as srv:
        resource = EngineResource(srv, RulesListProvider())
        checked = [resource.checked(news) for news in programs]
        with ThreadPoolExecutor(max_workers=10) as pool:
            created = list(pool.map(srv.create, checked))
    assert recorder.throttled(mark) == []
    assert emulator.throttled_counts == throttled_before  # the emulator's own count of 429s, by kind, agrees
    assert len(recorder.writes(mark)) == 10
    for news, (_id, outs) in zip(programs, created):
        assert outs["bulk_operation"]["succeeded"] is True
        assert held(emulator, news["name"]) == outs["items"] == [{"ip": i} for i in news["items"]]


# ------------------------------------------------------------------------------------------------ secrets
def test_nothing_secret_reaches_any_property_the_engine_stores(emulator: Emulator) -> None:
    seen: List[Any] = []
    with provider_server(stack_config(emulator)) as srv:
        resource = EngineResource(srv, RulesListProvider())
        news = program(items=["192.0.2.1"])
        seen.append(resource.checked(news))
        state = resource.up(news).state
        seen += [state.outputs, resource.diff(state, {**news, "items": ["192.0.2.2"]}).__dict__]
        step = resource.up({**news, "items": ["192.0.2.2"]}, state)
        refreshed = resource.refresh(step.state)
        assert refreshed is not None
        seen += [step.state.outputs, refreshed.outputs, resource.get(state.id, {"account_id": ACCOUNT})]
        with pytest.raises(ProviderCallError) as failed:
            resource.up(news)  # a second list of one name: refused
        resource.destroy(refreshed)
        seen += [failed.value.details, srv.stderr]
    assert TOKEN not in json.dumps(seen, default=str)
    for props in (state.outputs, step.state.outputs):
        assert TOKEN.encode() not in base64.b64decode(props["__provider"])


def test_adopt_takes_over_an_existing_list_of_that_name_and_kind(
    rules_list: EngineResource, emulator: Emulator
) -> None:
    name = f"pulumi_list_{next(_names)}"
    existing = create_list(emulator, name)
    wait_for(emulator, append_items(emulator, existing, [{"ip": "192.0.2.20"}, {"ip": "192.0.2.21"}]))

    state = rules_list.up(program(name=name, items=["192.0.2.21/32", "192.0.2.22"], adopt=True)).state

    assert state.id == existing
    assert sorted(i["ip"] for i in emulator.lists(ACCOUNT)[name]["items"]) == ["192.0.2.21", "192.0.2.22"]
    with pytest.raises(ProviderCallError) as caught:
        rules_list.up(program(name=name, kind="hostname", adopt=True))
    assert "kind" in caught.value.message


# ------------------------------------------------------------------------------------------------ guards
def test_items_emptied_fail_check_so_preview_fails_as_up_would_unless_allow_empty(
    rules_list: EngineResource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = program(items=["192.0.2.1", "192.0.2.2"])
    state = rules_list.up(news).state
    mark = recorder.mark
    checked = rules_list.check({**news, "items": []})
    assert [name for name, _reason in checked.failures] == ["items"]
    assert "set allow_empty" in dict(checked.failures)["items"]
    assert recorder.writes(mark) == [] and len(held(emulator, news["name"])) == 2
    emptied = rules_list.up({**news, "items": [], "allow_empty": True}, state)
    assert emptied.state.outputs["items"] == [] and held(emulator, news["name"]) == []


def test_max_removals_refuses_a_larger_plan_before_any_write(
    rules_list: EngineResource, emulator: Emulator, recorder: RecordingApp
) -> None:
    news = program(items=[f"192.0.2.{n}" for n in range(1, 11)], max_removals="20%")
    state = rules_list.up(news).state
    mark = recorder.mark
    with pytest.raises(ProviderCallError) as caught:
        rules_list.up({**news, "items": news["items"][:7]}, state)
    assert "would remove 3 of the 10 items" in caught.value.message and "max_removals (20%)" in caught.value.message
    assert recorder.writes(mark) == [] and len(held(emulator, news["name"])) == 10
