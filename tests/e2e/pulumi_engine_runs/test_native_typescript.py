"""The README's TypeScript program through the Node Automation API (an inline program, so the Node SDK hosts the
language runtime) with the built CLI and the native provider's plugin, against the emulator: up, no changes after,
an edit previewed and written item by item, drift shown after a refresh, an existing list adopted with the
``import`` option, destroy; the token never in state; writers in parallel, no 429.

The module deploys the program once; each test starts from that deployment and leaves it so, but the last, which
destroys it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import (
    append_items,
    call,
    create_list,
    wait_for,
)

from edgeops_cloudflare_lists.emulator import Emulator
from tests.e2e.pulumi_engine import ACCOUNT, RecordingApp
from tests.e2e.pulumi_engine_runs.engine import Credentials, Engine, changed_items_shown
from tests.e2e.pulumi_engine_runs.native_engine import TYPESCRIPT_EXAMPLE, NodeProgram, Step

SOURCE = TYPESCRIPT_EXAMPLE.read_text(encoding="utf-8")
#: The program with one item's comment changed, and with an existing list adopted by the ``import`` option.
VARIANTS = {
    "index": SOURCE,
    "edited": SOURCE.replace("abuse report 1412", "abuse report 1413"),
    "adopting": SOURCE
    + """
const legacyListId = new pulumi.Config().require("legacyListId");
new RulesList("legacy", { accountId, name: "legacy_ts", kind: "ip", items: ["192.0.2.99"] },
    { import: `${accountId}/${legacyListId}` });
""",
}
NO_CHANGES = Step("preview", expect_no_changes=True)

Deployed = Tuple[NodeProgram, Dict[str, Any]]


@pytest.fixture(scope="module")
def deployed(engine: Engine, credentials: Credentials, recorder: RecordingApp) -> Iterator[Deployed]:
    program = NodeProgram(engine, VARIANTS, credentials, ACCOUNT)
    mark = recorder.mark
    first, unchanged = program.run(Step("up"), NO_CHANGES)
    facts = {**first, "requests": recorder.since(mark), "unchanged": unchanged}
    yield program, facts
    if not facts.get("destroyed"):
        program.run(Step("destroy"))


@pytest.fixture
def program(deployed: Deployed) -> NodeProgram:
    return deployed[0]


def items_of(emulator: Emulator, list_id: str) -> List[Dict[str, Any]]:
    return list(call(emulator, "GET", f"/{list_id}/items").json()["result"])


def test_up_records_items_canonical_with_no_429_and_a_preview_then_shows_no_changes(
    deployed: Deployed, emulator: Emulator
) -> None:
    _, first = deployed
    assert first["changes"] == {"create": 4}
    assert [r for r in first["requests"] if r.status == 429] == []
    outputs = first["outputs"]
    assert outputs["securityItems"] == [{"comment": "abuse report 1412", "ip": "192.0.2.0/24"}, {"ip": "198.51.100.7"}]
    assert outputs["scannerItems"] == [{"ip": "203.0.113.0/24"}, {"ip": "2001:db8::bad"}]
    assert len(items_of(emulator, outputs["blocklistId"])) == 4
    assert first["unchanged"]["changes"] == {"same": 4}


def test_one_item_changed_previews_as_that_item_and_up_writes_exactly_it(
    program: NodeProgram, recorder: RecordingApp
) -> None:
    mark = recorder.mark
    preview, edit = program.run(Step("preview", "edited"), Step("up", "edited"))
    writes = recorder.writes(mark)
    restored, unchanged = program.run(Step("up"), NO_CHANGES)
    assert preview["changes"] == {"same": 3, "update": 1}
    assert changed_items_shown(preview["display"]) == ['comment: "abuse report 1412" => "abuse report 1413"']
    assert edit["changes"] == {"same": 3, "update": 1}
    assert [(w.method, w.body) for w in writes] == [("POST", [{"ip": "192.0.2.0/24", "comment": "abuse report 1413"}])]
    assert restored["changes"] == {"same": 3, "update": 1} and unchanged["changes"] == {"same": 4}


def test_drift_shows_on_refresh_the_preview_names_the_missing_item_and_up_writes_only_it(
    deployed: Deployed, emulator: Emulator, recorder: RecordingApp
) -> None:
    program, first = deployed
    list_id = first["outputs"]["blocklistId"]
    gone = next(item for item in items_of(emulator, list_id) if item["ip"] == "198.51.100.7")
    removed = call(emulator, "DELETE", f"/{list_id}/items", {"items": [{"id": gone["id"]}]})
    wait_for(emulator, removed.json()["result"]["operation_id"])
    mark = recorder.mark
    refreshed, preview, restored, unchanged = program.run(Step("refresh"), Step("preview"), Step("up"), NO_CHANGES)
    assert refreshed["changes"].get("update") == 1
    assert preview["changes"] == {"same": 3, "update": 1}
    assert changed_items_shown(preview["display"]) == ['ip: "198.51.100.7"']
    assert restored["changes"] == {"same": 3, "update": 1} and unchanged["changes"] == {"same": 4}
    assert [(w.method, w.body) for w in recorder.writes(mark)] == [("POST", [{"ip": "198.51.100.7"}])]


def test_the_import_option_adopts_an_existing_list_which_then_shows_no_changes(
    program: NodeProgram, emulator: Emulator, recorder: RecordingApp
) -> None:
    list_id = create_list(emulator, "legacy_ts")
    wait_for(emulator, append_items(emulator, list_id, [{"ip": "192.0.2.99"}]))
    mark = recorder.mark
    adopted, unchanged = program.run(
        Step("up", "adopting"), Step("preview", "adopting", expect_no_changes=True), config={"legacyListId": list_id}
    )
    writes = recorder.writes(mark)
    dropped = program.run(Step("up"))[0]  # the list leaves the program: deleted
    assert adopted["changes"] == {"same": 4, "import": 1} and writes == []
    assert unchanged["changes"] == {"same": 5}
    assert dropped["changes"] == {"same": 4, "delete": 1}
    assert call(emulator, "GET", f"/{list_id}").status_code == 404


def test_the_state_holds_no_plaintext_token(program: NodeProgram, engine: Engine, credentials: Credentials) -> None:
    files = [path for path in engine.state_files() if f"/{program.project}/" in path.as_posix()]
    assert files, "the stack wrote no state"
    assert not [path for path in files if credentials.token in path.read_text(encoding="utf-8", errors="replace")]


def test_destroy_deletes_the_lists_and_sends_no_item_writes(
    deployed: Deployed, emulator: Emulator, recorder: RecordingApp
) -> None:
    program, first = deployed
    mark = recorder.mark
    destroyed = program.run(Step("destroy"))[0]
    first["destroyed"] = True
    assert destroyed["changes"] == {"delete": 4}
    assert recorder.writes(mark) == []  # the ListItems go with their list (deletedWith)
    assert call(emulator, "GET", f"/{first['outputs']['blocklistId']}").status_code == 404
