"""batch: many waits in one thread, soonest due first, each on its own schedule, under one deadline."""

from __future__ import annotations

import json
import random

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import (
    COMPLETED,
    ERROR,
    FAILED,
    MAX_OPERATIONS,
    TIMEOUT,
    OperationRef,
    operation_refs,
    parse_refs,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import RateBudget
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy
from core_testkit import ACCOUNT_ID, BASE_URL, TOKEN, envelope, operation

OPERATIONS = [f"{index:032x}" for index in range(1, 6)]


def url(operation_id: str) -> str:
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{operation_id}"


def client_for(clock, budget=None):
    return CloudflareClient(
        Credentials(api_token=TOKEN), clock=clock, sleep=clock.sleep, rng=random.Random(0), budget=budget
    )


def refs(*operation_ids: str) -> list[OperationRef]:
    return [OperationRef(ACCOUNT_ID, operation_id) for operation_id in operation_ids]


def finishes_after(api, operation_id: str, checks: int, status: str = "completed") -> None:
    for _check in range(checks - 1):
        api.add(responses.GET, url(operation_id), json=envelope(operation("running", operation_id)))
    extra = {"completed": "2024-05-01T08:00:00Z"}
    if status == "failed":
        extra["error"] = "This list is at the maximum number of items"
    api.add(responses.GET, url(operation_id), json=envelope(operation(status, operation_id, **extra)))


def test_every_operation_gets_its_outcome_in_the_order_they_finish(api, clock):
    finishes_after(api, OPERATIONS[0], 3)
    finishes_after(api, OPERATIONS[1], 1)
    finishes_after(api, OPERATIONS[2], 2, "failed")
    seen = []
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:3]), on_result=seen.append)
    assert [(r.ref.operation_id, r.outcome) for r in results] == [
        (OPERATIONS[1], COMPLETED),
        (OPERATIONS[2], FAILED),
        (OPERATIONS[0], COMPLETED),
    ]
    assert seen == results
    assert "maximum number of items" in str(results[1].error)
    assert [r.checks for r in results] == [1, 2, 3]


def test_each_operation_keeps_its_own_backoff(api, clock):
    finishes_after(api, OPERATIONS[0], 4)
    finishes_after(api, OPERATIONS[1], 4)
    policy = WaitPolicy(first_interval=1.0, multiplier=2.0, jitter=0.0)
    wait_for_many(client_for(clock), refs(*OPERATIONS[:2]), policy)
    # Both start at once and each checks at 0, 1, 3 and 7 s: 8 checks, and the fake clock ends at 7 s.
    assert len(api.calls) == 8
    assert clock.elapsed == pytest.approx(7.0)


def test_one_deadline_for_all_times_out_the_unfinished_ones_with_their_last_status(api, clock):
    finishes_after(api, OPERATIONS[0], 1)
    api.add(responses.GET, url(OPERATIONS[1]), json=envelope(operation("pending", OPERATIONS[1])))
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:2]), WaitPolicy(timeout=20))
    outcomes = {r.ref.operation_id: r for r in results}
    assert outcomes[OPERATIONS[0]].outcome == COMPLETED
    assert outcomes[OPERATIONS[1]].outcome == TIMEOUT
    assert outcomes[OPERATIONS[1]].facts.status == "pending"
    assert clock.elapsed <= 20 + 1e-9


def test_an_operation_cloudflare_does_not_know_ends_alone_with_its_error(api, clock):
    api.add(
        responses.GET,
        url(OPERATIONS[0]),
        status=404,
        json=envelope(None, success=False, errors=[{"code": 10006, "message": "not found"}]),
    )
    finishes_after(api, OPERATIONS[1], 2)
    results = wait_for_many(client_for(clock), refs(*OPERATIONS[:2]))
    assert [(r.ref.operation_id, r.outcome) for r in results] == [(OPERATIONS[0], ERROR), (OPERATIONS[1], COMPLETED)]


def test_transient_trouble_is_retried_on_the_operations_schedule(api, clock):
    api.add(responses.GET, url(OPERATIONS[0]), status=503, body="<html>503</html>")
    finishes_after(api, OPERATIONS[0], 1)
    client = CloudflareClient(
        Credentials(api_token=TOKEN), clock=clock, sleep=clock.sleep, rng=random.Random(0), retries=0
    )
    [result] = wait_for_many(client, refs(OPERATIONS[0]))
    assert result.outcome == COMPLETED and result.checks == 2


def completes_at(api, clock, operation_id: str, moment: float) -> None:
    def answer(_request):
        status = "completed" if clock() >= moment else "running"
        body = operation(
            status, operation_id, **({"completed": "2024-05-01T08:00:00Z"} if status == "completed" else {})
        )
        return 200, {}, json.dumps(envelope(body))

    api.add_callback(responses.GET, url(operation_id), callback=answer)


def test_when_the_budget_limits_the_pace_each_operation_needs_fewer_checks(api, clock):
    ten = [f"{index:032x}" for index in range(1, 11)]
    for operation_id in ten:
        completes_at(api, clock, operation_id, clock() + 6.0)
    free = wait_for_many(client_for(clock), refs(*ten), WaitPolicy(jitter=0.0))
    for operation_id in ten:
        completes_at(api, clock, operation_id, clock() + 6.0)
    slow = RateBudget(2.0, 1, clock=clock, sleep=clock.sleep)  # one request every 0.5 s
    limited = wait_for_many(client_for(clock, slow), refs(*ten), WaitPolicy(jitter=0.0))
    assert all(r.outcome == COMPLETED for r in free + limited)
    assert sum(r.checks for r in limited) < sum(r.checks for r in free)


def test_references_are_validated_and_duplicates_waited_on_once():
    assert parse_refs([(ACCOUNT_ID, OPERATIONS[0]), (ACCOUNT_ID, OPERATIONS[0])]) == refs(OPERATIONS[0])
    with pytest.raises(ValidationError):
        parse_refs([(ACCOUNT_ID, "../x")])


OTHER_ACCOUNT = "0" * 31 + "1"


def no_default_account() -> str:
    raise AssertionError("the default account is asked for only by an entry that names none")


def test_operations_are_named_by_ids_objects_or_what_a_write_returned():
    facts = {"id": OPERATIONS[2], "status": "completed", "finished": True, "succeeded": True}
    entries = [
        OPERATIONS[0],
        f"{OTHER_ACCOUNT.upper()}:{OPERATIONS[1]}",
        facts,  # a write's bulk_operation
        {"changed": True, "bulk_operation": dict(facts, id=OPERATIONS[3])},  # a whole registered result
        {"operation_id": OPERATIONS[4], "account_id": OTHER_ACCOUNT},
    ]
    assert operation_refs(entries, lambda: ACCOUNT_ID) == [
        OperationRef(ACCOUNT_ID, OPERATIONS[0]),
        OperationRef(OTHER_ACCOUNT, OPERATIONS[1]),
        OperationRef(ACCOUNT_ID, OPERATIONS[2]),
        OperationRef(ACCOUNT_ID, OPERATIONS[3]),
        OperationRef(OTHER_ACCOUNT, OPERATIONS[4]),
    ]


def test_a_write_that_wrote_nothing_is_skipped_and_the_default_account_is_read_only_when_needed():
    entries = [None, {"changed": False, "bulk_operation": None}, f"{ACCOUNT_ID}:{OPERATIONS[0]}"]
    assert operation_refs(entries, no_default_account) == refs(OPERATIONS[0])


@pytest.mark.parametrize("entry", [42, ["a"], {"status": "completed"}, True], ids=repr)
def test_an_entry_that_names_no_operation_is_refused_naming_its_index(entry):
    with pytest.raises(
        ValidationError, match=r"^Invalid operations\[1\]: expected operation_id or account_id:operation_id"
    ):
        operation_refs([OPERATIONS[0], entry], lambda: ACCOUNT_ID)


def answers_after(clock, operation_id: str, seconds: float):
    """A server that takes ``seconds`` to say the operation is still running."""

    def answer(_request):
        clock.advance(seconds)
        return 200, {}, json.dumps(envelope(operation("running", operation_id)))

    return answer


def test_operations_not_reached_by_the_deadline_end_with_it_whatever_the_server_does(api, clock):
    # Each check takes 5 s; ten operations under a 10 s deadline end by the deadline, its grace and one check,
    # not after ten slow checks.
    many = [f"{index:032x}" for index in range(1, 11)]
    for operation_id in many:
        api.add_callback(responses.GET, url(operation_id), callback=answers_after(clock, operation_id, 5.0))
    results = wait_for_many(client_for(clock), refs(*many), WaitPolicy(timeout=10))
    assert {r.outcome for r in results} == {TIMEOUT}
    assert clock.elapsed <= 10 + 1 + 5


def test_a_batch_takes_up_to_its_bound_of_operations_and_refuses_more_before_any_check():
    pairs = [(ACCOUNT_ID, f"{number:032x}") for number in range(MAX_OPERATIONS)]
    assert len(parse_refs(pairs)) == MAX_OPERATIONS
    with pytest.raises(ValidationError, match=f"{MAX_OPERATIONS + 1} operations given; one wait takes at most"):
        parse_refs([*pairs, (ACCOUNT_ID, "one-more")])
