"""``cloudflare-lists create``, ``update``, ``delete`` and ``sync --remove-only``, as processes, against the
emulator over 127.0.0.1: each change is made once, a rerun changes nothing, and a dry run writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import TOKEN, run

LIST_KEYS = {"id", "name", "kind", "description", "num_items", "num_referencing_filters", "created_on", "modified_on"}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1)) as running:
        yield running


def document(result) -> dict:
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_create_makes_the_list_with_its_description_once(emulator: Emulator) -> None:
    dry = run(emulator, "create", "blocklist", "--kind", "ip", "--description", "Blocked at the edge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert document(dry) == {
        "changed": True,
        "dry_run": True,
        "created": True,
        "deleted": False,
        # The list as the real run creates it; what Cloudflare assigns on creation is not known yet.
        "list": {
            "id": None,
            "name": "blocklist",
            "kind": "ip",
            "description": "Blocked at the edge",
            "num_items": 0,
            "num_referencing_filters": 0,
            "created_on": None,
            "modified_on": None,
        },
        "error": None,
    }
    assert emulator.lists() == {}

    created = run(emulator, "create", "blocklist", "--kind", "ip", "--description", "Blocked at the edge")
    assert created.returncode == 0, created.stderr
    facts = document(created)["list"]
    assert set(facts) == LIST_KEYS
    assigned = {"id", "created_on", "modified_on"}
    assert {key: facts[key] for key in LIST_KEYS - assigned} == {
        key: value for key, value in document(dry)["list"].items() if key not in assigned
    }
    assert (facts["name"], facts["kind"], facts["description"]) == ("blocklist", "ip", "Blocked at the edge")
    assert emulator.lists()["blocklist"]["description"] == "Blocked at the edge"

    again = run(emulator, "create", "blocklist", "--kind", "ip", "--description", "Blocked at the edge")
    assert document(again)["changed"] is False
    assert list(emulator.lists()) == ["blocklist"]


def test_create_refuses_a_list_of_that_name_and_another_kind(emulator: Emulator) -> None:
    assert run(emulator, "create", "blocklist", "--kind", "ip").returncode == 0
    result = run(emulator, "create", "blocklist", "--kind", "asn")
    assert result.returncode == 4
    assert "is a list of kind ip, not asn" in result.stderr  # the word, not the flag --kind


def test_update_changes_the_description_by_name_or_id_and_a_dry_run_predicts_it(emulator: Emulator) -> None:
    list_id = document(run(emulator, "create", "blocklist", "--kind", "ip", "--description", "old"))["list"]["id"]

    dry = document(run(emulator, "update", "blocklist", "--description", "new", "--dry-run"))
    assert (dry["changed"], dry["list"]["description"]) == (True, "new")
    assert emulator.lists()["blocklist"]["description"] == "old"

    real = document(run(emulator, "update", list_id, "--description", "new"))
    assert {key: real[key] for key in ("changed", "dry_run", "created")} == {
        "changed": True,
        "dry_run": False,
        "created": False,
    }
    assert real["list"] == {**dry["list"], "modified_on": real["list"]["modified_on"]}
    assert emulator.lists()["blocklist"]["description"] == "new"
    assert document(run(emulator, "update", "blocklist", "--description", "new"))["changed"] is False


def test_update_of_a_missing_list_exits_4_saying_so(emulator: Emulator) -> None:
    result = run(emulator, "update", "no_such_list", "--description", "x")
    assert result.returncode == 4
    assert "no_such_list" in result.stderr


def test_delete_removes_the_list_once_and_a_dry_run_keeps_it(emulator: Emulator) -> None:
    assert run(emulator, "create", "blocklist", "--kind", "ip").returncode == 0
    dry = document(run(emulator, "delete", "blocklist", "--dry-run"))
    assert (dry["changed"], dry["deleted"], dry["list"]) == (True, True, None)
    assert list(emulator.lists()) == ["blocklist"]

    assert document(run(emulator, "delete", "blocklist"))["deleted"] is True
    assert emulator.lists() == {}
    gone = run(emulator, "delete", "blocklist")
    assert gone.returncode == 0
    assert document(gone) == {
        "changed": False,
        "dry_run": False,
        "created": False,
        "deleted": False,
        "list": None,
        "error": None,
    }


def test_delete_is_refused_while_a_rule_uses_the_list_and_nothing_is_sent(emulator: Emulator) -> None:
    assert run(emulator, "create", "blocklist", "--kind", "ip").returncode == 0
    emulator.use_list("blocklist", filters=2)
    for extra in ([], ["--dry-run"]):
        result = run(emulator, "delete", "blocklist", *extra)
        assert result.returncode == 4
        assert "is used by 2 rules; Cloudflare deletes only lists no rule uses" in result.stderr
    assert list(emulator.lists()) == ["blocklist"]


def test_sync_remove_only_removes_the_files_items_and_adds_nothing(emulator: Emulator) -> None:
    filled = run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin="10.0.0.1\n10.0.0.2\n10.0.0.3\n")
    assert filled.returncode == 0, filled.stderr
    removed = run(emulator, "sync", "blocklist", "--remove-only", "--file", "-", stdin="10.0.0.2\n192.0.2.9\n")
    assert removed.returncode == 0, removed.stderr
    assert document(removed)["plan"] == {
        "add": [],
        "update": [],
        "change": [],
        "remove": [{"ip": "10.0.0.2"}],
        "writes": [{"method": "DELETE", "items": 1}],
    }
    assert sorted(item["ip"] for item in emulator.lists()["blocklist"]["items"]) == ["10.0.0.1", "10.0.0.3"]
    again = run(emulator, "sync", "blocklist", "--remove-only", "--file", "-", stdin="10.0.0.2\n")
    assert document(again)["changed"] is False


def test_sync_remove_only_never_creates_a_list(emulator: Emulator) -> None:
    result = run(emulator, "sync", "nolist", "--kind", "ip", "--remove-only", "--file", "-", stdin="10.0.0.1\n")
    assert result.returncode == 4
    assert emulator.lists() == {}
