"""The README's YAML program, run by the plain ``pulumi`` CLI with Pulumi YAML's language host and the native
provider's plugin, against the emulator: up, no changes after, an edit previewed and written item by item, drift
shown after a refresh, an existing list imported, destroy; the token never in state; writers in parallel, no 429.

The module deploys the program once; each test starts from that deployment and leaves it so, but the last, which
destroys it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    wait_for,
)

from edgeops_cloudflare_lists.emulator import Emulator
from tests.e2e.pulumi_engine import ACCOUNT, RecordingApp
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, changed_items_shown
from tests.e2e.pulumi_engine_runs.native_engine import PLUGIN_DIR, YAML_EXAMPLE, YamlProject

EDITED = "comment: abuse report 1413"


@pytest.fixture(scope="module")
def deployed(
    engine: Engine, credentials: Credentials, recorder: RecordingApp
) -> Iterator[tuple[YamlProject, Dict[str, Any]]]:
    """The README's program, deployed once; what ``up`` printed, and the requests it sent."""
    project = YamlProject(engine, YAML_EXAMPLE.read_text(encoding="utf-8"), credentials, ACCOUNT)
    mark = recorder.mark
    shown = project.op("up", "--yes").stdout
    facts = {"display": shown, "requests": recorder.since(mark)}
    yield project, facts
    if not facts.get("destroyed"):
        project.op("destroy", "--yes", check=False)


@pytest.fixture
def project(deployed: tuple[YamlProject, Dict[str, Any]]) -> YamlProject:
    return deployed[0]


def list_named(emulator: Emulator, name: str) -> Dict[str, Any]:
    found = [item for item in call(emulator, "GET", "").json()["result"] if item["name"] == name]
    assert len(found) == 1, found
    return dict(found[0])


def items_of(emulator: Emulator, list_id: str) -> List[Dict[str, Any]]:
    return list(call(emulator, "GET", f"/{list_id}/items").json()["result"])


def test_up_records_items_canonical_in_parallel_with_no_429_and_a_preview_then_shows_no_changes(
    deployed: tuple[YamlProject, Dict[str, Any]], emulator: Emulator
) -> None:
    project, first = deployed
    assert "+ 5 created" in first["display"]
    assert [r for r in first["requests"] if r.status == 429] == []
    outputs = project.outputs()
    assert outputs["securityItems"] == [{"comment": "abuse report 1412", "ip": "192.0.2.0/24"}, {"ip": "198.51.100.7"}]
    assert outputs["partnerHosts"] == 2
    held = {item["ip"] for item in items_of(emulator, outputs["blocklistId"])}
    assert held == {"192.0.2.0/24", "198.51.100.7", "203.0.113.0/24", "2001:db8::bad"}
    assert project.op("preview", "--expect-no-changes").returncode == 0


def test_one_item_changed_previews_as_that_item_and_up_writes_exactly_it(
    project: YamlProject, recorder: RecordingApp
) -> None:
    original = project.program
    project.write(original.replace("comment: abuse report 1412", EDITED))
    try:
        shown = project.op("preview", "--diff").stdout
        assert changed_items_shown(shown) == ['comment: "abuse report 1412" => "abuse report 1413"']
        assert "~ 1 to update" in shown
        mark = recorder.mark
        project.op("up", "--yes")
        assert [(w.method, w.body) for w in recorder.writes(mark)] == [
            ("POST", [{"ip": "192.0.2.0/24", "comment": "abuse report 1413"}])
        ]
    finally:
        project.write(original)
        project.op("up", "--yes")
    assert project.op("preview", "--expect-no-changes").returncode == 0


def test_drift_shows_on_refresh_the_preview_names_the_drifted_item_and_up_removes_only_it(
    project: YamlProject, emulator: Emulator, recorder: RecordingApp
) -> None:
    partners = list_named(emulator, "partner_hosts")
    drift = {"hostname": {"url_hostname": "drift.partner.example"}}
    wait_for(emulator, append_items(emulator, partners["id"], [drift]))
    refreshed = project.op("refresh", "--yes").stdout
    assert "~ 1 updated" in refreshed
    shown = project.op("preview", "--diff").stdout
    assert changed_items_shown(shown) == ['url_hostname: "drift.partner.example"'], shown
    assert "~ 1 to update" in shown
    drifted_id = next(i["id"] for i in items_of(emulator, partners["id"]) if "drift" in json.dumps(i))
    mark = recorder.mark
    project.op("up", "--yes")
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [("DELETE", {"items": [{"id": drifted_id}]})]
    assert project.op("preview", "--expect-no-changes").returncode == 0


def test_pulumi_import_of_an_existing_list_then_shows_no_changes(
    project: YamlProject, emulator: Emulator, tmp_path: Path
) -> None:
    list_id = create_list(emulator, "legacy_hosts", kind="hostname")
    wait_for(emulator, append_items(emulator, list_id, [{"hostname": {"url_hostname": "legacy.example"}}]))
    generated = tmp_path / "imported.yaml"
    imported = project.op(
        "import", "cloudflare-lists:index:RulesList", "legacy", f"{ACCOUNT}/{list_id}", "--yes", "--out", str(generated)
    )
    assert "= 1 imported" in imported.stdout
    resource = yaml.safe_load(generated.read_text(encoding="utf-8"))["resources"]["legacy"]
    assert resource["properties"]["items"] == [{"hostname": {"url_hostname": "legacy.example"}}]
    program = yaml.safe_load(project.program)
    original = project.program
    program["resources"]["legacy"] = resource
    project.write(yaml.safe_dump(program, sort_keys=False))
    try:
        assert project.op("preview", "--expect-no-changes").returncode == 0
    finally:
        project.op("state", "unprotect", "--all", "--yes")
        project.write(original)
        project.op("up", "--yes")  # the list leaves the program: deleted
    assert call(emulator, "GET", f"/{list_id}").status_code == 404


def test_the_state_holds_no_plaintext_token(project: YamlProject, credentials: Credentials) -> None:
    files = project.state_files()
    assert files, "the stack wrote no state"
    assert not [path for path in files if credentials.token in path.read_text(encoding="utf-8", errors="replace")]


def test_a_token_set_in_plain_text_is_still_encrypted_in_the_stacks_state(
    engine: Engine, credentials: Credentials, emulator: Emulator
) -> None:
    program = YAML_EXAMPLE.read_text(encoding="utf-8").replace("name: cloudflare-lists-yaml", "name: plain-token")
    plain = Credentials(credentials.token, credentials.base_url, secret=False)
    project = YamlProject(engine, single_list_program(program), plain, ACCOUNT)
    project.op("up", "--yes")
    try:
        checkpoint = next(path for path in project.state_files() if path.name == f"{project.stack}.json")
        text = checkpoint.read_text(encoding="utf-8")
        assert credentials.token not in text
        resources = json.loads(text)["checkpoint"]["latest"]["resources"]
        provider = next(r for r in resources if r["type"] == "pulumi:providers:cloudflare-lists")
        assert "ciphertext" in provider["inputs"]["apiToken"] and "ciphertext" in provider["outputs"]["apiToken"]
    finally:
        project.op("destroy", "--yes")


def single_list_program(program: str) -> str:
    """The README's program with only its allowlist: the resources of a small stack."""
    parsed = yaml.safe_load(program)
    parsed["resources"] = {"partners": parsed["resources"]["partners"]}
    parsed["resources"]["partners"]["properties"]["name"] = "plain_token_hosts"
    parsed["outputs"] = {"partnerHosts": "${partners.numItems}"}
    return yaml.safe_dump(parsed, sort_keys=False)


def test_ten_lists_in_one_up_through_the_plugins_path_all_succeed_with_no_429(
    engine: Engine, credentials: Credentials, emulator: Emulator, recorder: RecordingApp
) -> None:
    """The provider named in Pulumi.yaml's ``plugins`` (not found on PATH): every resource in one process."""
    program = {
        "name": "ten-lists",
        "runtime": "yaml",
        "plugins": {"providers": [{"name": "cloudflare-lists", "path": str(PLUGIN_DIR)}]},
        "config": {"accountId": {"type": "string"}},
        "resources": {
            f"list{n}": {
                "type": "cloudflare-lists:index:RulesList",
                "properties": {
                    "accountId": "${accountId}",
                    "name": f"parallel_{n}",
                    "kind": "ip",
                    "items": [f"198.51.100.{n}", f"192.0.2.{n}/32"],
                },
            }
            for n in range(10)
        },
    }
    project = YamlProject(engine, yaml.safe_dump(program, sort_keys=False), credentials, ACCOUNT)
    mark = recorder.mark
    shown = project.op("up", "--yes")
    try:
        assert "+ 11 created" in shown.stdout
        assert "pulumi-resource-cloudflare-lists from $PATH" not in shown.stdout + shown.stderr
        assert recorder.throttled(mark) == []
        assert len(recorder.writes(mark)) == 10
        assert project.op("preview", "--expect-no-changes").returncode == 0
    finally:
        project.op("destroy", "--yes")


def test_destroy_deletes_the_lists_and_sends_no_item_writes(
    deployed: tuple[YamlProject, Dict[str, Any]], emulator: Emulator, recorder: RecordingApp
) -> None:
    project, facts = deployed
    ids = [list_named(emulator, name)["id"] for name in ("edge_blocklist", "partner_hosts")]
    mark = recorder.mark
    shown = project.op("destroy", "--yes").stdout
    facts["destroyed"] = True
    assert "- 5 deleted" in shown
    assert recorder.writes(mark) == []  # the ListItems go with their list (deletedWith)
    assert [call(emulator, "GET", f"/{list_id}").status_code for list_id in ids] == [404, 404]
