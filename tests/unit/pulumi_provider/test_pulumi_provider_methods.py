"""The provider's methods called directly, against an in-process emulator: credentials, pickling, API calls."""

from __future__ import annotations

import base64
import pickle
import time
from typing import Any, Callable, Dict

import dill
import pulumi.runtime
import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT
from ansible_collections.edgeops.cloudflare_lists.tests.support.lists_api import write_items
from ansible_collections.edgeops.cloudflare_lists.tests.support.pulumi import BAD_ITEMS, GOOD_ITEMS, TOKEN, configured
from pulumi.dynamic.dynamic import serialize_provider

from edgeops_cloudflare_lists.emulator import Emulator
from pulumi_provider import BulkOperationProvider, get_bulk_operation
from pulumi_provider.connection import ConnectionSettings

ProviderFor = Callable[[Emulator], BulkOperationProvider]


def checked(provider: BulkOperationProvider, operation_id: str, **inputs: Any) -> Dict[str, Any]:
    result = provider.check({}, {"account_id": ACCOUNT, "operation_id": operation_id, **inputs})
    assert result.failures == []
    return result.inputs


def created(provider: BulkOperationProvider, operation_id: str, **inputs: Any) -> Dict[str, Any]:
    result = provider.create(checked(provider, operation_id, **inputs))
    assert result.id == operation_id and result.outs is not None
    return result.outs


# ------------------------------------------------------------------------------------------------ credentials
def test_configure_reads_the_cloudflare_stack_config(emulator: Emulator, provider_for: ProviderFor) -> None:
    outs = created(provider_for(emulator), write_items(emulator, GOOD_ITEMS))
    assert outs["status"] == "completed"


def test_credentials_fall_back_to_cloudflare_environment_variables(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", emulator.base_url)
    outs = created(configured({}), write_items(emulator, GOOD_ITEMS))
    assert outs["succeeded"] is True


def test_missing_credentials_fail_with_the_pulumi_config_keys_to_set(emulator: Emulator) -> None:
    provider = configured({"cloudflare:baseUrl": emulator.base_url})
    with pytest.raises(ValidationError) as caught:
        provider.create(checked(provider, write_items(emulator, GOOD_ITEMS)))
    assert "no Cloudflare credentials found" in str(caught.value)
    assert "pulumi config set --secret cloudflare:apiToken" in str(caught.value)


def test_pickled_provider_never_holds_the_credentials() -> None:
    provider = configured({"cloudflare:apiToken": TOKEN, "cloudflare:apiKey": "key-5e1f", "cloudflare:email": "a@b.c"})
    for blob in (dill.dumps(provider), base64.b64decode(serialize_provider(provider)), pickle.dumps(provider)):
        assert TOKEN.encode() not in blob
        assert b"key-5e1f" not in blob
    assert serialize_provider(provider) == serialize_provider(BulkOperationProvider())


def test_pickled_provider_is_a_reference_to_its_stable_import_path() -> None:
    blob = base64.b64decode(serialize_provider(BulkOperationProvider()))
    assert b"pulumi_provider.bulk_operation" in blob and b"BulkOperationProvider" in blob
    assert isinstance(dill.loads(blob), BulkOperationProvider)


def test_connection_settings_hide_secrets_and_refuse_pickling() -> None:
    settings = ConnectionSettings(api_token=TOKEN, api_key="key-5e1f")
    assert TOKEN not in repr(settings) and "key-5e1f" not in repr(settings)
    with pytest.raises(TypeError, match="never pickled"):
        dill.dumps(settings)


# ------------------------------------------------------------------------------------------------ API calls
def test_diff_update_and_delete_make_no_api_call(emulator: Emulator, provider_for: ProviderFor) -> None:
    provider = provider_for(emulator)
    operation_id = write_items(emulator, GOOD_ITEMS)
    outs = created(provider, operation_id)
    news = checked(provider, operation_id, wait_timeout=60, fail_on_operation_failure=False)
    before = emulator.request_count
    assert provider.diff(operation_id, outs, news).changes is True
    updated = provider.update(operation_id, outs, news).outs
    provider.delete(operation_id, updated or {})
    assert emulator.request_count == before
    assert updated == {**outs, "wait_timeout": 60.0, "fail_on_operation_failure": False}


def test_update_checks_again_when_wait_is_turned_on_for_an_unfinished_operation(
    slow_emulator: Emulator, provider_for: ProviderFor
) -> None:
    provider = provider_for(slow_emulator)
    operation_id = write_items(slow_emulator, GOOD_ITEMS)
    outs = created(provider, operation_id, wait=False)
    before = slow_emulator.request_count
    with pytest.raises(WaitTimeoutError, match="still pending"):
        provider.update(operation_id, outs, checked(provider, operation_id, wait=True, wait_timeout=0))
    assert slow_emulator.request_count == before + 1


def test_update_fails_a_recorded_failure_once_failures_should_fail(
    emulator: Emulator, provider_for: ProviderFor
) -> None:
    provider = provider_for(emulator)
    operation_id = write_items(emulator, BAD_ITEMS)
    outs = created(provider, operation_id, fail_on_operation_failure=False)
    with pytest.raises(OperationFailedError, match="/8 and /32"):
        provider.update(operation_id, outs, checked(provider, operation_id))


def test_read_refreshes_the_facts_recorded_in_state(emulator: Emulator, provider_for: ProviderFor) -> None:
    provider = provider_for(emulator)
    operation_id = write_items(emulator, GOOD_ITEMS)
    stale = {**created(provider, operation_id), "status": "running", "finished": False, "succeeded": False}
    result = provider.read(operation_id, stale)
    assert result.id == operation_id
    assert result.outs is not None and result.outs["status"] == "completed" and result.outs["finished"] is True


def test_read_keeps_the_last_facts_once_cloudflare_forgets_a_finished_operation(
    start_emulator: Callable[..., Emulator], provider_for: ProviderFor
) -> None:
    emu = start_emulator(pending_seconds=0.0, running_seconds=0.0, operation_ttl_seconds=0.3)
    provider = provider_for(emu)
    operation_id = write_items(emu, GOOD_ITEMS)
    outs = created(provider, operation_id)
    deadline = time.monotonic() + 10
    while any(op["id"] == operation_id for op in emu.operations):  # forgotten after the TTL: then a 404
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert provider.read(operation_id, outs).outs == outs


def test_read_reports_gone_an_operation_never_seen_finished_that_cloudflare_no_longer_knows(
    emulator: Emulator, provider_for: ProviderFor
) -> None:
    provider = provider_for(emulator)
    outs = {**checked(provider, "0" * 32), "status": "pending", "finished": False, "succeeded": False}
    result = provider.read("0" * 32, outs)
    assert result.id == ""


def test_create_records_the_status_as_it_is_without_wait(slow_emulator: Emulator, provider_for: ProviderFor) -> None:
    outs = created(provider_for(slow_emulator), write_items(slow_emulator, GOOD_ITEMS), wait=False)
    assert outs["status"] == "pending" and outs["finished"] is False


def test_create_without_wait_still_fails_on_an_operation_already_failed(
    emulator: Emulator, provider_for: ProviderFor
) -> None:
    provider = provider_for(emulator)
    operation_id = write_items(emulator, BAD_ITEMS)
    with pytest.raises(OperationFailedError, match="fail_on_operation_failure=False"):
        provider.create(checked(provider, operation_id, wait=False))


# ------------------------------------------------------------------------------------------------ get_bulk_operation
@pytest.fixture
def stack_config(emulator: Emulator) -> Any:
    pulumi.runtime.set_all_config({"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emulator.base_url})
    yield
    pulumi.runtime.set_all_config({})


@pytest.mark.usefixtures("stack_config")
def test_get_bulk_operation_reads_the_facts_with_the_stack_config(emulator: Emulator) -> None:
    operation_id = write_items(emulator, GOOD_ITEMS)
    result = get_bulk_operation(ACCOUNT, operation_id, wait=True, wait_timeout=30)
    assert result == {
        "account_id": ACCOUNT,
        "operation_id": operation_id,
        "status": "completed",
        "finished": True,
        "succeeded": True,
        "completed_at": result["completed_at"],
        "error": None,
    }


@pytest.mark.usefixtures("stack_config")
def test_get_bulk_operation_returns_a_failed_operation_instead_of_raising(emulator: Emulator) -> None:
    result = get_bulk_operation(ACCOUNT, write_items(emulator, BAD_ITEMS), wait=True, wait_timeout=30)
    assert result["status"] == "failed" and result["succeeded"] is False
    assert "/8 and /32" in (result["error"] or "")


@pytest.mark.usefixtures("stack_config")
def test_get_bulk_operation_rejects_a_bad_id_before_any_request(emulator: Emulator) -> None:
    before = emulator.request_count
    with pytest.raises(ValidationError, match="operation_id"):
        get_bulk_operation(ACCOUNT, "not an id!")
    assert emulator.request_count == before
