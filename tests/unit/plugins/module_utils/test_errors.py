"""errors: ``Interrupted`` says what the call was doing, whether a write may have been sent, and the operation it
waited on; every adapter renders the same words."""

from __future__ import annotations

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    Interrupted,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID


def test_an_interrupted_write_says_a_write_may_have_been_sent_and_to_run_again() -> None:
    running = BulkOperationFacts(id=OPERATION_ID, status="running")
    error = Interrupted("SIGTERM", doing="syncing list 'blocklist'", writes=True, facts=running, checks=2)
    assert isinstance(error, CloudflareListsError)
    assert error.message == (
        f"Interrupted by SIGTERM while syncing list 'blocklist'. Bulk operation {OPERATION_ID} was last seen running."
    )
    assert error.hint is not None and error.hint.startswith("A write may have been sent")
    assert "never resending a write blindly" in error.hint
    assert (error.operation_id, error.writes, error.checks) == (OPERATION_ID, True, 2)
    assert error.details() == {
        "error_type": "Interrupted",
        "bulk_operation": running.to_dict(),
        "checks": 2,
        "signal": "SIGTERM",
    }


def test_an_interrupted_wait_says_the_operation_goes_on_and_names_it_before_any_check() -> None:
    error = Interrupted("SIGINT", doing="waiting on a bulk operation", writes=False, operation_id=OPERATION_ID)
    assert error.message.endswith(f"Bulk operation {OPERATION_ID} had not answered a check yet.")
    assert error.hint == (
        "Nothing was changed by this call, and the operation goes on at Cloudflare: check it again with the same "
        "operation_id."
    )
    assert error.render({"operation_id": "OPERATION_ID"}).endswith("with the same OPERATION_ID.")


def test_an_interrupted_read_says_nothing_changed() -> None:
    error = Interrupted("SIGINT", doing="reading the account's lists", writes=False)
    assert str(error) == "Interrupted by SIGINT while reading the account's lists. Nothing was changed; run again."
