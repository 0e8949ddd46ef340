"""Every exit path of ``sync``, ``apply``, ``status``, ``wait``, ``create``, ``update``, ``delete``, ``lists`` and
``items`` prints one JSON document on stdout that its schema (``edgeops_cloudflare_lists/cli/schemas/``) accepts,
with the documented exit status; as processes, against the emulator over 127.0.0.1. (A signal's exit paths:
``test_cli_interrupts.py``.)"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Dict

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import append_items, create_list, wait_for
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import TOKEN, run

SCHEMAS = Path(__file__).resolve().parents[2] / "edgeops_cloudflare_lists" / "cli" / "schemas"
LOADED = {path.name: json.loads(path.read_text()) for path in SCHEMAS.glob("*.schema.json")}
REGISTRY = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in LOADED.values())


def validated(result: subprocess.CompletedProcess[str], schema: str, code: int) -> Dict[str, Any]:
    """The one document on stdout, checked against ``schema``, from a run that exited ``code``."""
    assert result.returncode == code, result.stdout + result.stderr
    document = json.loads(result.stdout)  # exactly one document: json.loads refuses anything after it
    Draft202012Validator(LOADED[schema], registry=REGISTRY).validate(document)
    assert (document["error"] is None) == (code in (0, 6)), document
    if document["error"] is not None:
        assert result.stderr.strip().splitlines()[-1].endswith(document["error"]["message"])
    return document


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1, max_items_per_account=5)
    with Emulator(config) as running:
        yield running


def test_the_schemas_are_valid_json_schemas() -> None:
    assert set(LOADED) == {
        "common.schema.json",
        "sync.schema.json",
        "operation.schema.json",
        "list.schema.json",
        "lists.schema.json",
        "items.schema.json",
    }
    for schema in LOADED.values():
        Draft202012Validator.check_schema(schema)


def sync(emulator: Emulator, *args: str, stdin: str = "10.0.0.1\n") -> subprocess.CompletedProcess[str]:
    return run(emulator, "sync", "blocklist", "--file", "-", *args, stdin=stdin)


def test_sync_documents_on_every_exit_path_with_the_drift_status(emulator: Emulator) -> None:
    drift = validated(sync(emulator, "--kind", "ip", "--dry-run", "--detailed-exitcode"), "sync.schema.json", 6)
    assert (drift["changed"], drift["dry_run"], drift["created"]) == (True, True, True)
    assert (drift["list"]["id"], drift["list"]["name"], drift["list"]["kind"]) == (None, "blocklist", "ip")
    assert drift["counts"] == {"before": 0, "after": 1, "add": 1, "update": 0, "remove": 0}

    made = validated(sync(emulator, "--kind", "ip"), "sync.schema.json", 0)
    assert (made["changed"], made["created"], made["bulk_operation"]["status"]) == (True, True, "completed")
    assert made["list"]["id"] and made["list"]["num_items"] == 1

    clean = validated(sync(emulator, "--dry-run", "--detailed-exitcode"), "sync.schema.json", 0)
    assert (clean["changed"], clean["created"], clean["list"]["id"]) == (False, False, made["list"]["id"])
    assert validated(sync(emulator), "sync.schema.json", 0)["changed"] is False
    assert validated(sync(emulator, "--detailed-exitcode"), "sync.schema.json", 0)["changed"] is False
    changed = validated(sync(emulator, "--detailed-exitcode", stdin="10.0.0.2\n"), "sync.schema.json", 6)
    assert changed["counts"] == {"before": 1, "after": 1, "add": 1, "update": 0, "remove": 1}

    failed = validated(sync(emulator, stdin="".join(f"10.0.1.{index}\n" for index in range(9))), "sync.schema.json", 1)
    assert (failed["error"]["type"], failed["bulk_operation"]["status"]) == ("OperationFailedError", "failed")
    # Nothing was applied, so changed is not known to be true; the plan and the failed write are what it did.
    assert (failed["changed"], failed["created"], failed["counts"]["add"]) == (None, False, 9)
    assert [(w["method"], w["operation"]["status"]) for w in failed["writes"]] == [("PUT", "failed")]

    invalid = validated(sync(emulator, stdin="10.0.0.300\n"), "sync.schema.json", 2)
    assert invalid["error"]["type"] == "ItemsValidationError"
    assert validated(sync(emulator, stdin="# nothing today\n"), "sync.schema.json", 2)["error"]["type"] == (
        "GuardError"
    )
    usage = validated(sync(emulator, "--timeout", "nan"), "sync.schema.json", 2)
    assert usage["error"]["type"] == "UsageError" and "--timeout" in usage["error"]["message"]


def test_sync_reports_refused_credentials_in_its_document(emulator: Emulator) -> None:
    result = subprocess.run(
        [str(Path(run.__globals__["COMMAND"])), "sync", emulator.config.account_id, "blocklist", "--file", "-"],
        input="10.0.0.1\n",
        capture_output=True,
        text=True,
        env={"CLOUDFLARE_API_TOKEN": "not-the-token", "CLOUDFLARE_BASE_URL": emulator.base_url, "PATH": ""},
        timeout=60,
        check=False,
    )
    assert validated(result, "sync.schema.json", 4)["error"]["type"] == "AuthenticationError"


def test_status_and_wait_documents_on_every_exit_path(emulator: Emulator) -> None:
    list_id = create_list(emulator, "waited")
    done = append_items(emulator, list_id, [{"ip": "192.0.2.1"}])
    wait_for(emulator, done)  # completed before status looks, however soon the command starts
    status = validated(run(emulator, "status", done), "operation.schema.json", 0)
    assert (status["outcome"], status["operation_id"], status["account_id"]) == (
        "completed",
        done,
        emulator.config.account_id,
    )
    waited = validated(run(emulator, "wait", done), "operation.schema.json", 0)
    assert waited["bulk_operation"]["succeeded"] is True

    failed_id = append_items(emulator, list_id, [{"ip": "10.0.0.0/7"}])
    failed = validated(run(emulator, "wait", failed_id), "operation.schema.json", 1)
    assert (failed["outcome"], failed["error"]["type"]) == ("failed", "OperationFailedError")
    assert failed["bulk_operation"]["error"] in failed["error"]["message"]

    missing = validated(run(emulator, "status", "0" * 32), "operation.schema.json", 4)
    assert (missing["outcome"], missing["error"]["type"], missing["bulk_operation"]) == ("error", "NotFoundError", None)
    invalid = validated(run(emulator, "wait", "../x"), "operation.schema.json", 2)
    assert invalid["error"]["type"] == "ValidationError"
    assert validated(run(emulator, "status"), "operation.schema.json", 2)["operation_id"] is None
    usage = validated(run(emulator, "wait", done, "--max-interval", "0"), "operation.schema.json", 2)
    assert usage["outcome"] == "error"

    lines = run(emulator, "wait", f"{emulator.config.account_id}:{done}", f"{emulator.config.account_id}:{failed_id}")
    assert lines.returncode == 1
    validator = Draft202012Validator(LOADED["operation.schema.json"], registry=REGISTRY)
    outcomes = set()
    for line in lines.stdout.splitlines():
        validator.validate(json.loads(line))
        outcomes.add(json.loads(line)["outcome"])
    assert outcomes == {"completed", "failed"}
    refused = validated(
        run(emulator, "wait", f"{emulator.config.account_id}:../x", f"{emulator.config.account_id}:{done}"),
        "operation.schema.json",
        2,
    )
    assert (refused["account_id"], refused["operation_id"]) == (None, None)  # it waits on several: no one of them


def test_a_wait_that_times_out_prints_its_document_with_the_last_status() -> None:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=60, running_seconds=60)) as slow:
        operation_id = append_items(slow, create_list(slow, "slow"), [{"ip": "192.0.2.1"}], patience=5)
        timed_out = validated(run(slow, "wait", operation_id, "--timeout", "1"), "operation.schema.json", 3)
    assert (timed_out["outcome"], timed_out["error"]["type"]) == ("timeout", "WaitTimeoutError")
    assert timed_out["bulk_operation"]["status"] == "pending"


def test_list_command_documents_on_every_exit_path(emulator: Emulator) -> None:
    made = validated(run(emulator, "create", "kept", "--kind", "ip", "--description", "x"), "list.schema.json", 0)
    assert made["created"] is True
    assert validated(run(emulator, "update", "kept", "--description", "y"), "list.schema.json", 0)["changed"]
    assert validated(run(emulator, "delete", "kept", "--dry-run"), "list.schema.json", 0)["deleted"]
    assert validated(run(emulator, "update", "gone", "--description", "y"), "list.schema.json", 4)["error"]
    assert validated(run(emulator, "create", "bad name", "--kind", "ip"), "list.schema.json", 2)["error"]
    assert validated(run(emulator, "create", "nokind"), "list.schema.json", 2)["changed"] is None


def read_document(result: subprocess.CompletedProcess[str], schema: str, code: int) -> Any:
    """The one document of ``lists`` or ``items`` on stdout, checked against ``schema``: the array on success,
    the failure document otherwise, whose message is the line on stderr."""
    assert result.returncode == code, result.stdout + result.stderr
    document = json.loads(result.stdout)
    Draft202012Validator(LOADED[schema], registry=REGISTRY).validate(document)
    assert isinstance(document, list) == (code == 0), document
    if code != 0:
        assert result.stderr.strip().splitlines()[-1] == f"cloudflare-lists: error: {document['error']['message']}"
    return document


def test_lists_and_items_print_their_array_or_a_failure_document(emulator: Emulator) -> None:
    list_id = create_list(emulator, "read_me")
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "192.0.2.1", "comment": "office"}]))
    assert [facts["name"] for facts in read_document(run(emulator, "lists"), "lists.schema.json", 0)] == ["read_me"]
    items = read_document(run(emulator, "items", "read_me"), "items.schema.json", 0)
    assert items == [{"ip": "192.0.2.1", "comment": "office"}]

    missing = read_document(run(emulator, "items", "no_such_list"), "items.schema.json", 4)
    assert (missing["error"]["type"], missing["items"]) == ("NotFoundError", None)
    assert (missing["account_id"], missing["list"]["name"]) == (emulator.config.account_id, "no_such_list")
    invalid = read_document(run(emulator, "lists", "not-an-account"), "lists.schema.json", 2)
    assert (invalid["error"]["type"], invalid["account_id"], invalid["lists"]) == (
        "ValidationError",
        "not-an-account",
        None,
    )
    usage = read_document(run(emulator, "items"), "items.schema.json", 2)
    assert usage["error"]["type"] == "ValidationError" and usage["list"]["name"] is None


def test_lists_reports_refused_credentials_in_its_document(emulator: Emulator) -> None:
    result = subprocess.run(
        [str(Path(run.__globals__["COMMAND"])), "lists", emulator.config.account_id],
        capture_output=True,
        text=True,
        env={"CLOUDFLARE_API_TOKEN": "not-the-token", "CLOUDFLARE_BASE_URL": emulator.base_url, "PATH": ""},
        timeout=60,
        check=False,
    )
    refused = read_document(result, "lists.schema.json", 4)
    assert (refused["error"]["type"], refused["account_id"]) == ("AuthenticationError", emulator.config.account_id)
    assert "not-the-token" not in result.stdout + result.stderr
