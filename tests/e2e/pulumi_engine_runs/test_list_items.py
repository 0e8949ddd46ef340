"""ListItems through the real Pulumi engine, on a list made elsewhere that holds another writer's item: up, preview,
an edit, drift and destroy touch only its own items."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List

import pulumi
import pytest

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import ListItems
from tests.e2e.pulumi_engine import ACCOUNT, RecordingApp
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, changed_items_shown, resource_changes
from tests.lists_api import append_items, call, create_list, wait_for

OUTSIDER = {"ip": "192.0.2.200", "comment": "written elsewhere"}
# As a program writes them; Cloudflare stores 198.51.100.7 and 2001:db8::bad.
WRITTEN: List[Any] = ["198.51.100.7/32", "203.0.113.10", {"ip": "2001:DB8::BAD", "comment": "credential stuffing"}]
CANONICAL = [{"ip": "198.51.100.7"}, {"ip": "203.0.113.10"}, {"ip": "2001:db8::bad", "comment": "credential stuffing"}]


def team(list_id: str, items: Any) -> Callable[[], None]:
    def program() -> None:
        owned = ListItems("team", account_id=ACCOUNT, list_id=list_id, items=items)
        pulumi.export("items", owned.items)

    return program


@pytest.fixture
def list_id(emulator: Emulator) -> str:
    """A list made elsewhere, holding another writer's item."""
    made = create_list(emulator)
    wait_for(emulator, append_items(emulator, made, [OUTSIDER]))
    return made


def held(emulator: Emulator, list_id: str) -> List[Dict[str, Any]]:
    response = call(emulator, "GET", f"/{list_id}/items")
    response.raise_for_status()
    return [
        {"ip": item["ip"], **({"comment": item["comment"]} if item.get("comment") else {})}
        for item in response.json()["result"]
    ]


def test_up_adds_its_items_canonical_and_a_preview_right_after_expects_no_changes(
    engine: Engine, credentials: Credentials, emulator: Emulator, list_id: str
) -> None:
    stack = engine.stack(team(list_id, WRITTEN), credentials)

    result = stack.up()

    assert resource_changes(result) == {"create": 2}
    assert result.outputs["items"].value == CANONICAL
    assert sorted(map(str, held(emulator, list_id))) == sorted(map(str, [OUTSIDER, *CANONICAL]))
    assert stack.preview(expect_no_changes=True).change_summary == {"same": 2}


def test_one_edited_item_previews_exactly_that_item_and_up_writes_only_it(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp, list_id: str
) -> None:
    stack = engine.stack(team(list_id, WRITTEN), credentials)
    stack.up()
    edited = [WRITTEN[0], "203.0.113.11", WRITTEN[2]]

    preview = stack.preview(program=team(list_id, edited), diff=True)

    assert preview.change_summary == {"same": 1, "update": 1}
    assert changed_items_shown(preview.stdout) == ['ip: "203.0.113.10" => "203.0.113.11"']
    replaced_id, mark = _id_of(emulator, list_id, "203.0.113.10"), recorder.mark
    assert resource_changes(stack.up(program=team(list_id, edited))) == {"same": 1, "update": 1}
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [
        ("POST", [{"ip": "203.0.113.11"}]),
        ("DELETE", {"items": [{"id": replaced_id}]}),
    ]
    assert OUTSIDER in held(emulator, list_id)


def test_drift_shows_on_refresh_and_in_preview_item_by_item_and_up_restores_only_its_items(
    engine: Engine, credentials: Credentials, emulator: Emulator, list_id: str
) -> None:
    stack = engine.stack(team(list_id, WRITTEN), credentials)
    stack.up()
    # Elsewhere: one of its addresses removed, and another one's comment changed.
    removal = call(
        emulator, "DELETE", f"/{list_id}/items", {"items": [{"id": _id_of(emulator, list_id, "203.0.113.10")}]}
    )
    wait_for(emulator, removal.json()["result"]["operation_id"])
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "198.51.100.7", "comment": "changed elsewhere"}]))

    assert resource_changes(stack.refresh()) == {"same": 1, "update": 1}
    preview = stack.preview(diff=True)

    assert preview.change_summary == {"same": 1, "update": 1}
    shown = "\n".join(changed_items_shown(preview.stdout))
    assert 'comment: "changed elsewhere"' in shown
    assert "203.0.113.10" in shown
    assert "/32" not in shown  # 198.51.100.7/32 as written is the item found: no change shown for it
    assert resource_changes(stack.up()) == {"same": 1, "update": 1}
    assert sorted(map(str, held(emulator, list_id))) == sorted(map(str, [OUTSIDER, *CANONICAL]))
    stack.preview(expect_no_changes=True)


def test_destroy_removes_only_its_own_items(
    engine: Engine, credentials: Credentials, emulator: Emulator, list_id: str
) -> None:
    stack = engine.stack(team(list_id, WRITTEN), credentials)
    stack.up()

    assert resource_changes(stack.destroy()) == {"delete": 2}

    assert held(emulator, list_id) == [OUTSIDER]


def _id_of(emulator: Emulator, list_id: str, ip: str) -> str:
    response = call(emulator, "GET", f"/{list_id}/items")
    return next(str(item["id"]) for item in response.json()["result"] if item["ip"] == ip)


@pytest.fixture(autouse=True)
def _no_throttling(recorder: RecordingApp) -> Iterator[None]:
    mark = recorder.mark
    yield
    assert recorder.throttled(mark) == []
