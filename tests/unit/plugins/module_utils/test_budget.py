"""budget: the token bucket, the RateLimit headers, Retry-After pausing every request, and the file shared by
processes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import (
    DEFAULT_BURST,
    DEFAULT_SHARE,
    DOCUMENTED_LIMIT,
    RateBudget,
    fingerprint,
    parse_rate,
    parse_ratelimit,
    shared_budget,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import get_bulk_operation
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    OperationPendingError,
    RateLimitedError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope, operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_URL, TOKEN


def make(clock, rate: float = 1.0, burst: float = 3, path: str | None = None) -> RateBudget:
    return RateBudget(rate, burst, clock=clock, sleep=clock.sleep, path=path)


def test_a_full_bucket_lets_a_burst_through_without_waiting(clock):
    budget = make(clock, burst=3)
    assert [budget.acquire() for _attempt in range(3)] == [0, 0, 0]
    assert clock.sleeps == []


def test_past_the_burst_requests_are_spaced_at_the_rate(clock):
    budget = make(clock, rate=2.0, burst=1)
    budget.acquire()
    assert budget.acquire() == pytest.approx(0.5)
    assert budget.acquire() == pytest.approx(0.5)
    assert clock.elapsed == pytest.approx(1.0)


def test_the_bucket_refills_while_idle_but_never_past_the_burst(clock):
    budget = make(clock, rate=1.0, burst=2)
    budget.acquire()
    budget.acquire()
    clock.advance(100)
    assert [budget.acquire() for _attempt in range(2)] == [0, 0]
    assert budget.acquire() == pytest.approx(1.0)


def test_no_wait_past_the_deadline_raises_at_once_with_retry_after(clock):
    budget = make(clock, rate=0.1, burst=1)
    budget.acquire()
    with pytest.raises(RateLimitedError) as info:
        budget.acquire(deadline=clock() + 5)
    assert info.value.retry_after == pytest.approx(10.0)
    assert clock.sleeps == []


def test_a_429_pauses_every_request_until_its_retry_after(clock):
    budget = make(clock, burst=50)
    budget.observe(429, {"Retry-After": "20"})
    assert budget.acquire() == pytest.approx(20.0)


def test_a_pause_lasts_at_most_the_documented_window_whatever_retry_after_says(clock):
    budget = make(clock, burst=50)
    budget.observe(429, {"Retry-After": "86400"})
    assert budget.acquire() == pytest.approx(300.0)


def test_an_http_date_retry_after_pauses_like_seconds(clock):
    budget = RateBudget(1.0, 5, clock=lambda: 1_000_000_000.0 + clock.elapsed, sleep=clock.sleep)
    budget.observe(429, {"Retry-After": "Sun, 09 Sep 2001 01:47:00 GMT"})  # 1e9 s after the epoch, plus 20 s
    assert budget.acquire() == pytest.approx(20.0, abs=1.0)


def test_a_429_that_is_not_the_rate_limit_pauses_nothing(clock):
    budget = make(clock, burst=50)
    budget.observe(429, {"Retry-After": "20"}, rate_limited=False)
    assert budget.acquire() == 0


def test_a_write_meeting_a_pending_operation_does_not_pause_the_credentials_reads(clock):
    budget = RateBudget(100.0, 100, clock=clock, sleep=clock.sleep)
    client = CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0), retries=0, budget=budget)
    items = "https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/rules/lists/x/items"
    pending = envelope(None, success=False, errors=[{"code": 10007, "message": "a bulk operation is pending"}])
    with responses.RequestsMock() as api:
        api.add(responses.PUT, items, status=429, json=pending, headers={"Retry-After": "40"})
        api.add(responses.GET, OPERATION_URL, json=envelope(operation("running")))
        with pytest.raises(OperationPendingError):
            client.request(
                "PUT",
                ("accounts", "023e105f4ecef8ad9ca31a8372d0c353", "rules", "lists", "x", "items"),
                what="PUT items",
                json=[],
                deadline=clock() + 10,
            )
        started = clock()
        get_bulk_operation(client, "023e105f4ecef8ad9ca31a8372d0c353", "4da8780eeb215e6cb7f48dd981c4ea02")
        assert clock() - started == 0


def test_a_429_without_retry_after_still_pauses_a_moment(clock):
    budget = make(clock, burst=50)
    budget.observe(429, {})
    assert budget.acquire() == pytest.approx(1.0)


def test_ratelimit_headers_stop_spending_before_the_server_says_429(clock):
    budget = make(clock, rate=100.0, burst=100)
    budget.observe(200, {"Ratelimit": '"default";r=4;t=30'})
    waits = [budget.acquire() for _attempt in range(3)]
    assert waits[:2] == [0, 0]  # 4 remaining, 2 kept for others
    assert waits[2] == pytest.approx(30.0)  # then it waits for the window to reset


def test_a_reset_server_window_is_forgotten(clock):
    budget = make(clock, burst=10)
    budget.observe(200, {"RateLimit": '"default";r=0;t=5'})
    clock.advance(6)
    assert budget.acquire() == 0


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ('"default";r=50;t=30', (50, 30.0)),
        ("default;t=30;r=50", (50, 30.0)),
        ('"burst";r=10;t=5, "default";r=50;t=30', (10, 5.0)),
        ('"default";r=0;t=1', (0, 1.0)),
    ],
)
def test_ratelimit_fields_in_the_drafts_syntax_are_read(value, parsed):
    assert parse_ratelimit(value) == parsed


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        '"default";r=-1;t=30',
        '"default";r=ten;t=30',
        '"default";r=5',
        "x" * 2000,
        '"d";r=1;t=99999999999',
    ],
)
def test_malformed_or_absent_ratelimit_fields_are_ignored(value, clock):
    assert parse_ratelimit(value) is None
    budget = make(clock, burst=3)
    budget.observe(200, {"Ratelimit": value} if value is not None else {})
    assert [budget.acquire() for _attempt in range(3)] == [0, 0, 0]


def test_the_default_share_keeps_any_five_minutes_within_the_documented_limit():
    assert DEFAULT_BURST + DOCUMENTED_LIMIT * DEFAULT_SHARE <= DOCUMENTED_LIMIT


@pytest.mark.parametrize(("text", "rate"), [("1080/300", (1080.0, 300.0)), (" 10 / 1 ", (10.0, 1.0))])
def test_the_rate_setting_reads_requests_per_seconds(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "fast", "0/300", "10/0", "-1/5", "1e9/1"])
def test_a_bad_rate_setting_is_a_validation_error(text):
    with pytest.raises(ValidationError, match="CLOUDFLARE_LISTS_RATE"):
        parse_rate(text)


def test_a_fingerprint_names_a_credential_without_revealing_it():
    assert fingerprint((TOKEN,)) == fingerprint((TOKEN,))
    assert fingerprint((TOKEN,)) != fingerprint((TOKEN + "x",))
    assert TOKEN[:8] not in fingerprint((TOKEN,))


def test_the_shared_budget_is_one_per_credential_in_a_cache_file_named_by_fingerprint(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    first, again, other = (shared_budget((secret,), "https://a", environ) for secret in (TOKEN, TOKEN, "other"))
    elsewhere = shared_budget((TOKEN,), "http://127.0.0.1:8080", environ)
    assert first is again and first is not other and first is not elsewhere
    first.acquire()
    files = sorted(path.name for path in (tmp_path / "edgeops-cloudflare-lists").iterdir())
    assert f"budget-{fingerprint(('https://a', TOKEN))}.json" in files
    assert not any(TOKEN in path.read_text() for path in (tmp_path / "edgeops-cloudflare-lists").iterdir())


def test_the_shared_budget_can_be_kept_in_the_process(tmp_path):
    budget = shared_budget(
        (TOKEN,), "https://a", {"XDG_CACHE_HOME": str(tmp_path), "CLOUDFLARE_LISTS_SHARED_BUDGET": "0"}
    )
    budget.acquire()
    assert budget.path is None
    assert not (tmp_path / "edgeops-cloudflare-lists").exists()


def test_a_corrupt_budget_file_is_ignored_and_rebuilt(clock, tmp_path):
    path = tmp_path / "budget.json"
    path.write_text("{not json")
    budget = make(clock, burst=2, path=str(path))
    assert budget.acquire() == 0
    assert json.loads(path.read_text())["tokens"] == pytest.approx(1.0)
    path.write_text(json.dumps({"tokens": "lots", "updated": None}))
    assert budget.acquire() == 0


def test_two_budgets_on_one_file_share_its_tokens_and_its_pause(clock, tmp_path):
    path = str(tmp_path / "budget.json")
    first, second = make(clock, rate=1.0, burst=2, path=path), make(clock, rate=1.0, burst=2, path=path)
    first.acquire()
    second.acquire()
    assert first.acquire() == pytest.approx(1.0)  # the second took the other token
    second.observe(429, {"Retry-After": "30"})
    assert first.acquire() == pytest.approx(30.0)


def test_a_429_seen_by_one_wait_pauses_another_wait_on_the_same_credential(clock):
    budget = RateBudget(100.0, 100, clock=clock, sleep=clock.sleep)
    clients = [
        CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0), retries=0, budget=budget)
        for _client in range(2)
    ]
    with responses.RequestsMock() as api:
        api.add(
            responses.GET, OPERATION_URL, status=429, json=envelope(None, success=False), headers={"Retry-After": "12"}
        )
        api.add(responses.GET, OPERATION_URL, json=envelope(operation("running")))
        with pytest.raises(RateLimitedError):
            get_bulk_operation(clients[0], "023e105f4ecef8ad9ca31a8372d0c353", "4da8780eeb215e6cb7f48dd981c4ea02")
        started = clock()
        get_bulk_operation(clients[1], "023e105f4ecef8ad9ca31a8372d0c353", "4da8780eeb215e6cb7f48dd981c4ea02")
        assert clock() - started == pytest.approx(12.0)


GRANTS = textwrap.dedent(
    """
    import json, sys, time
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.budget import RateBudget
    budget = RateBudget(float(sys.argv[2]), float(sys.argv[3]), path=sys.argv[1])
    grants = []
    for _grant in range(int(sys.argv[4])):
        budget.acquire()
        grants.append(time.time())
    print(json.dumps(grants))
    """
)


def test_concurrent_processes_sharing_the_file_stay_within_one_bucket(tmp_path):
    rate, burst, processes, each = 20.0, 5, 4, 10
    path = str(tmp_path / "budget.json")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", GRANTS, path, str(rate), str(burst), str(each)], stdout=subprocess.PIPE, env=env
        )
        for _process in range(processes)
    ]
    grants = sorted(stamp for process in running for stamp in json.loads(process.communicate(timeout=60)[0]))
    assert len(grants) == processes * each
    # A token bucket's promise: in any span of time, at most burst + rate x span grants (a little slack for
    # the clock read after the grant).
    for first in range(len(grants)):
        for last in range(first, len(grants)):
            span = grants[last] - grants[first]
            assert last - first + 1 <= burst + rate * span + 1, (first, last, span)


def test_a_ratelimit_reset_far_ahead_waits_at_most_the_documented_window(clock):
    budget = make(clock, burst=50)
    budget.observe(200, {"Ratelimit": '"default";r=0;t=86400'})
    assert budget.acquire() == pytest.approx(300.0)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_budget_file_with_non_finite_numbers_is_rebuilt(clock, tmp_path, number):
    path = tmp_path / "budget.json"
    path.write_text(f'{{"tokens": 1, "updated": 0, "paused_until": {number}, "server_reset_at": 0}}')
    assert make(clock, burst=2, path=str(path)).acquire() == 0
