"""RulesList through the real Pulumi engine: up, preview, an edit, drift, refresh and destroy, against the emulator."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Dict, List

import pulumi
import pytest
from pulumi import automation as auto

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import RulesList
from tests.e2e.pulumi_engine import ACCOUNT, RecordingApp
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, changed_items_shown, diagnostics, resource_changes
from tests.lists_api import append_items, create_list, wait_for

# As a program writes them; Cloudflare stores 10.0.0.1, 192.168.1.0/24 and 2001:db8::1.
WRITTEN: List[Any] = ["10.0.0.1/32", {"ip": "2001:DB8::1", "comment": "office"}, "192.168.1.5/24"]
_names = itertools.count()


def blocklist(name: str, items: Any, **inputs: Any) -> Callable[[], None]:
    def program() -> None:
        rules_list = RulesList("blocklist", account_id=ACCOUNT, name=name, kind="ip", items=items, **inputs)
        pulumi.export("list_id", rules_list.list_id)
        pulumi.export("items", rules_list.items)

    return program


def new_name() -> str:
    return f"engine_rules_list_{next(_names)}"


def held(emulator: Emulator, name: str) -> List[Dict[str, Any]]:
    return [
        {"ip": item["ip"], **({"comment": item["comment"]} if item.get("comment") else {})}
        for item in emulator.lists(ACCOUNT)[name]["items"]
    ]


def test_up_creates_the_list_with_canonical_items_and_a_preview_right_after_expects_no_changes(
    engine: Engine, credentials: Credentials, emulator: Emulator
) -> None:
    name = new_name()
    stack = engine.stack(blocklist(name, WRITTEN), credentials)

    result = stack.up()

    assert resource_changes(result) == {"create": 2}  # the stack and the list
    assert result.outputs["items"].value == [
        {"ip": "10.0.0.1"},
        {"ip": "2001:db8::1", "comment": "office"},
        {"ip": "192.168.1.0/24"},
    ]  # as Cloudflare stores them, in the program's order
    assert held(emulator, name) == [
        {"ip": "10.0.0.1"},
        {"ip": "192.168.1.0/24"},
        {"ip": "2001:db8::1", "comment": "office"},
    ]
    preview = stack.preview(expect_no_changes=True, diff=True)  # fails the preview if anything would change
    assert preview.change_summary == {"same": 2}


def test_one_edited_item_previews_exactly_that_item_and_up_writes_only_it(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    name = new_name()
    stack = engine.stack(blocklist(name, WRITTEN), credentials)
    stack.up()
    edited = [WRITTEN[0], {"ip": "2001:DB8::1", "comment": "head office"}, WRITTEN[2]]

    preview = stack.preview(program=blocklist(name, edited), diff=True)

    assert preview.change_summary == {"same": 1, "update": 1}
    assert changed_items_shown(preview.stdout) == ['comment: "office" => "head office"']
    mark = recorder.mark
    result = stack.up(program=blocklist(name, edited))
    assert resource_changes(result) == {"same": 1, "update": 1}
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [
        ("POST", [{"ip": "2001:db8::1", "comment": "head office"}])
    ]
    assert {"ip": "2001:db8::1", "comment": "head office"} in held(emulator, name)


def test_drift_shows_on_refresh_and_in_preview_item_by_item_and_up_restores_the_list(
    engine: Engine, credentials: Credentials, emulator: Emulator
) -> None:
    name = new_name()
    stack = engine.stack(blocklist(name, WRITTEN), credentials)
    list_id = stack.up().outputs["list_id"].value
    # Elsewhere (the dashboard, another tool): one address added, one comment changed.
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "203.0.113.66"}, {"ip": "10.0.0.1", "comment": "x"}]))

    refresh = stack.refresh()

    assert resource_changes(refresh) == {"same": 1, "update": 1}
    preview = stack.preview(diff=True)
    assert preview.change_summary == {"same": 1, "update": 1}
    shown = "\n".join(changed_items_shown(preview.stdout))
    assert "203.0.113.66" in shown
    assert 'comment: "x"' in shown
    assert resource_changes(stack.up()) == {"same": 1, "update": 1}
    assert held(emulator, name) == [
        {"ip": "10.0.0.1"},
        {"ip": "192.168.1.0/24"},
        {"ip": "2001:db8::1", "comment": "office"},
    ]
    stack.preview(expect_no_changes=True)


def test_adopt_takes_over_a_list_made_elsewhere_where_import_cannot(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    name = new_name()
    existing = create_list(emulator, name)
    wait_for(emulator, append_items(emulator, existing, [{"ip": "192.0.2.20"}, {"ip": "10.0.0.1"}]))
    removed = next(item["id"] for item in emulator.lists(ACCOUNT)[name]["items"] if item["ip"] == "192.0.2.20")
    refused = engine.stack(blocklist(name, WRITTEN), credentials)
    with pytest.raises(auto.CommandError) as failed:
        refused.up()
    assert f"already has a list named '{name}' ({existing})" in diagnostics(str(failed.value))
    stack = engine.stack(blocklist(name, WRITTEN, adopt=True), credentials)
    mark = recorder.mark

    result = stack.up()

    assert result.outputs["list_id"].value == existing
    # The items it lacked added, the one it shouldn't hold removed; 10.0.0.1 stays as it was.
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [
        ("POST", [{"ip": "192.168.1.0/24"}, {"ip": "2001:db8::1", "comment": "office"}]),
        ("DELETE", {"items": [{"id": removed}]}),
    ]
    assert held(emulator, name) == [
        {"ip": "10.0.0.1"},
        {"ip": "192.168.1.0/24"},
        {"ip": "2001:db8::1", "comment": "office"},
    ]
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert name not in emulator.lists(ACCOUNT)


def test_destroy_deletes_the_list(engine: Engine, credentials: Credentials, emulator: Emulator) -> None:
    name = new_name()
    stack = engine.stack(blocklist(name, WRITTEN), credentials)
    stack.up()

    result = stack.destroy()

    assert resource_changes(result) == {"delete": 2}
    assert name not in emulator.lists(ACCOUNT)


@pytest.fixture(autouse=True)
def _no_throttling(recorder: RecordingApp) -> Any:
    mark = recorder.mark
    yield
    assert recorder.throttled(mark) == []
