"""rules_list, rules_list_items and rules_list_info: how each maps its options onto its one core call, and the
core's answer onto its result.

Each test runs the module's ``main()`` for real (argument parsing, check and diff mode, ``exit_json`` printing JSON)
with only the module's one core call replaced, which records what it was given; no HTTP happens here. The
behaviour against an API is covered by the integration targets.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts, ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import parse_items, plan
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import ItemsOutcome, ListOutcome
from ansible_collections.edgeops.cloudflare_lists.plugins.modules import rules_list, rules_list_info, rules_list_items

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
LIST_ID = "2c0fc9fa937b11eaa1b71c4d701ab86e"
TOKEN = "unit-test-token-Sn3lZJTBX6kkg7OdcBUA"
FACTS = ListFacts(
    id=LIST_ID,
    name="blocklist",
    kind="ip",
    description="blocked",
    num_items=2,
    num_referencing_filters=0,
    created_on="2024-05-01T08:00:00Z",
    modified_on="2024-05-01T08:00:05Z",
)
OPERATION = BulkOperationFacts(
    id="4da8780eeb215e6cb7f48dd981c4ea02", status="completed", completed_at="2024-05-01T08:00:05Z"
)
CURRENT = parse_items("ip", ["192.0.2.1"])
DESIRED = parse_items("ip", ["192.0.2.1", "198.51.100.0/24"])


class Recorder:
    """Stands in for the module's core call: records its arguments, returns ``answer``."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.answer


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID)


def run_module(module, capsys, **args):
    args.setdefault("api_token", TOKEN)
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        module.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def items_outcome(mode="exact", operation=OPERATION):
    items_plan = plan(CURRENT, DESIRED, mode)
    return ItemsOutcome(items_plan, operation, items_plan.after, changed=True, verified=operation is not None)


@pytest.fixture
def sync_list(monkeypatch):
    recorder = Recorder(
        ListOutcome(
            list=FACTS, changed=True, description_before="blocked", description_after="blocked", items=items_outcome()
        )
    )
    monkeypatch.setattr(rules_list, "sync_list", recorder)
    return recorder


@pytest.fixture
def sync_items(monkeypatch):
    recorder = Recorder((FACTS, items_outcome("present")))
    monkeypatch.setattr(rules_list_items, "sync_items", recorder)
    return recorder


def test_rules_list_passes_its_options_to_sync_list_with_purge_as_exact(sync_list, capsys):
    code, result = run_module(
        rules_list,
        capsys,
        name="blocklist",
        kind="ip",
        description="blocked",
        items=["192.0.2.1", {"ip": "198.51.100.0/24"}],
    )

    assert code == 0, result
    ((_client, account_id, name), kwargs) = sync_list.calls[0]
    assert (account_id, name) == (ACCOUNT_ID, "blocklist")
    assert kwargs["kind"] == "ip"
    assert kwargs["description"] == "blocked"
    assert kwargs["items"] == ["192.0.2.1", {"ip": "198.51.100.0/24"}]
    options = kwargs["options"]
    assert (kwargs["mode"], kwargs["state"], options.check_mode, options.wait) == ("exact", "present", False, True)
    assert (options.policy.timeout, options.policy.max_interval) == (900.0, 30.0)
    assert (options.allow_empty, options.max_removals) == (False, None)


def test_rules_list_without_purge_items_only_adds_and_updates(sync_list, capsys):
    code, _result = run_module(rules_list, capsys, name="blocklist", items=["192.0.2.1"], purge_items=False)

    assert code == 0
    assert sync_list.calls[0][1]["mode"] == "present"


def test_rules_list_without_items_leaves_items_and_description_unmanaged(sync_list, capsys):
    code, _result = run_module(rules_list, capsys, name="blocklist")

    assert code == 0
    kwargs = sync_list.calls[0][1]
    assert (kwargs["items"], kwargs["description"], kwargs["kind"]) == (None, None, None)


def test_rules_list_returns_the_list_the_plan_and_the_operation(sync_list, capsys):
    code, result = run_module(rules_list, capsys, name="blocklist", kind="ip", items=["192.0.2.1", "198.51.100.0/24"])

    assert code == 0
    assert result["changed"] is True
    assert result["list"] == FACTS.to_dict()
    assert result["plan"] == {
        "add": [{"ip": "198.51.100.0/24"}],
        "update": [],
        "change": [],
        "remove": [],
        "writes": [{"method": "POST", "items": 1}],
    }
    assert result["bulk_operation"] == OPERATION.to_dict()
    assert "diff" not in result


def test_rules_list_returns_the_diff_in_diff_mode(sync_list, capsys):
    code, result = run_module(rules_list, capsys, name="blocklist", items=["192.0.2.1"], _ansible_diff=True)

    assert code == 0
    assert result["diff"] == {
        "before": {"description": "blocked", "items": [{"ip": "192.0.2.1"}]},
        "after": {"description": "blocked", "items": [{"ip": "192.0.2.1"}, {"ip": "198.51.100.0/24"}]},
    }


def test_rules_list_passes_check_mode_state_and_wait_settings(sync_list, capsys):
    code, _result = run_module(
        rules_list,
        capsys,
        name="blocklist",
        state="absent",
        wait=False,
        wait_timeout=30,
        wait_max_interval=2,
        _ansible_check_mode=True,
    )

    assert code == 0
    kwargs = sync_list.calls[0][1]
    options = kwargs["options"]
    assert (kwargs["state"], options.check_mode, options.wait) == ("absent", True, False)
    assert (options.policy.timeout, options.policy.max_interval) == (30.0, 2.0)


def test_rules_list_passes_its_guards_to_the_core(sync_list, capsys):
    code, _result = run_module(rules_list, capsys, name="blocklist", items=[], allow_empty=True, max_removals="10%")

    assert code == 0
    options = sync_list.calls[0][1]["options"]
    assert (options.allow_empty, str(options.max_removals)) == (True, "10%")


def test_rules_list_refuses_an_unknown_kind_before_the_core_runs(sync_list, capsys):
    code, result = run_module(rules_list, capsys, name="blocklist", kind="ipv4")

    assert code == 1
    assert "value of kind must be one of: ip, hostname, asn, redirect" in result["msg"]
    assert sync_list.calls == []


def test_rules_list_items_maps_state_present_to_present(sync_items, capsys):
    code, result = run_module(rules_list_items, capsys, list="blocklist", items=["198.51.100.0/24"])

    assert code == 0, result
    ((_client, account_id, reference, items, mode), kwargs) = sync_items.calls[0]
    assert (account_id, reference, items, mode) == (ACCOUNT_ID, "blocklist", ["198.51.100.0/24"], "present")
    assert (kwargs["options"].check_mode, kwargs["options"].wait) == (False, True)
    assert result["list"] == FACTS.to_dict()
    assert result["plan"]["add"] == [{"ip": "198.51.100.0/24"}]
    assert result["bulk_operation"] == OPERATION.to_dict()


def test_rules_list_items_maps_state_absent_to_absent(sync_items, capsys):
    code, _result = run_module(rules_list_items, capsys, list=LIST_ID, items=["192.0.2.1"], state="absent")

    assert code == 0
    assert sync_items.calls[0][0][4] == "absent"


def test_rules_list_items_diff_holds_only_the_items(sync_items, capsys):
    code, result = run_module(rules_list_items, capsys, list="blocklist", items=["198.51.100.0/24"], _ansible_diff=True)

    assert code == 0
    assert result["diff"] == {
        "before": {"items": [{"ip": "192.0.2.1"}]},
        "after": {"items": [{"ip": "192.0.2.1"}, {"ip": "198.51.100.0/24"}]},
    }


@pytest.mark.parametrize("missing", ["list", "items"])
def test_rules_list_items_requires_the_list_and_the_items(sync_items, capsys, missing):
    args = {"list": "blocklist", "items": ["192.0.2.1"]}
    del args[missing]

    code, result = run_module(rules_list_items, capsys, **args)

    assert code == 1
    assert result["msg"] == f"missing required arguments: {missing}"
    assert sync_items.calls == []


def test_rules_list_info_refuses_name_and_id_together(capsys):
    code, result = run_module(rules_list_info, capsys, name="blocklist", id=LIST_ID)

    assert code == 1
    assert result["msg"] == "parameters are mutually exclusive: name|id"


def test_rules_list_info_refuses_an_invalid_id_before_any_request(capsys):
    # An unroutable endpoint: had anything been sent, the error would be a transport error.
    code, result = run_module(rules_list_info, capsys, id="../x", base_url="http://127.0.0.1:9/client/v4")

    assert code == 1
    assert result["error_type"] == "ValidationError"
    assert result["msg"].startswith("Invalid list_id: ")
