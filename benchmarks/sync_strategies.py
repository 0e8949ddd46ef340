"""Sync a list against the emulator, ours beside each anchor's strategy replayed: requests, operations, items
written, time.

Every strategy starts from the same list (N items in the emulator) and must leave it holding the same desired
items: unchanged, 1 item added, 1 or 100 items replaced, 10 % replaced, or unchanged but written as ``/32``. The
emulator counts the requests and what every write carried (items, or ids for a ``DELETE``) and changed (a ``PUT``
removes every item and adds the given ones, as Cloudflare's write quota counts it). The emulator and every strategy
share one simulated clock, so waits on operations cost no real time: "wall" is the real time of the HTTP round
trips and the work between them, "simulated" is the time the strategy spent waiting. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    item_from_api,
    parse_items,
    plan,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_items

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

TOKEN = "bench-sync-token"  # noqa: S105 - the emulator's test credential
SIZES = (1_000, 10_000)
NON_CANONICAL = "unchanged, written as /32"
SCENARIOS = ("unchanged", "1 added", "1 replaced", "100 replaced", "10 % replaced", NON_CANONICAL)
OURS = "**ours** (`sync`, exact)"
TERRAFORM_INLINE = "terraform v5 `cloudflare_list` (inline items)"
#: The size the targets are stated for.
TARGET_SIZE = 10_000
TARGET_UNCHANGED_REQUESTS = 21
# One bulk operation and one wait per item: too slow to replay for this many.
LIST_ITEM_REPLAY_LIMIT = 1_000
PLANNING_SIZE = 100_000
SEED = 20261201
# terraform v5's poller: check at once, then sleep 1, 2, 4, 8, 16, then 30 s forever.
TERRAFORM_SLEEPS = (1.0, 2.0, 4.0, 8.0, 16.0)
TERRAFORM_CAP = 30.0
URI_UNTIL_DELAY = 5.0
# cloudflare-go v4+ (under terraform v5): 2 retries of a 429, honouring Retry-After.
SDK_RETRIES = 2
DEFAULT_PAGE = 25
MAX_PAGE = 500


#: Each item's id by its address: what terraform keeps in its state file, read before the run is measured.
State = Dict[str, str]


class SimulatedClock:
    """Monotonic seconds shared by the emulator and the strategies; sleeping moves it, instantly."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)


@dataclass
class Run:
    requests: int
    operations: int
    #: Items (or ids) the writes carried, and the item changes they made as Cloudflare's quota counts them.
    items_written: int
    item_changes: int
    #: The smallest change that gets there: items to add plus items to remove (a replaced item is both).
    planned: int
    wall: float
    simulated: float
    failed_writes: int
    right: bool


class Api:
    """The raw HTTP an anchor's strategy makes, on the shared clock."""

    def __init__(self, emulator: Emulator, list_id: str, clock: SimulatedClock) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"
        self.lists = f"{emulator.base_url}/accounts/{emulator.config.account_id}/rules/lists"
        self.items_url = f"{self.lists}/{list_id}/items"
        self.list_url = f"{self.lists}/{list_id}"
        self.clock = clock
        self.failed_writes = 0

    def get(self, url: str, **params: Any) -> Dict[str, Any]:
        response = self.session.get(url, params=params, timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def read_all(self, per_page: Optional[int]) -> List[Dict[str, Any]]:
        found: List[Dict[str, Any]] = []
        params: Dict[str, Any] = {"per_page": per_page} if per_page else {}
        while True:
            document = self.get(self.items_url, **params)
            found += document["result"]
            cursor = (document.get("result_info") or {}).get("cursors", {}).get("after")
            if not cursor:
                return found
            params["cursor"] = cursor

    def write(self, method: str, body: Any) -> Optional[str]:
        """One write, retried on 429 as the SDK would; the operation id, or None when it gave up."""
        for _attempt in range(1 + SDK_RETRIES):
            response = self.session.request(method, self.items_url, json=body, timeout=30)
            if response.status_code == 429:
                self.clock.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            response.raise_for_status()
            return str(response.json()["result"]["operation_id"])
        self.failed_writes += 1
        return None

    def wait(self, operation_id: Optional[str], sleeps: Callable[[], Sequence[float]]) -> None:
        if operation_id is None:
            return
        url = f"{self.lists}/bulk_operations/{operation_id}"
        for pause in [0.0, *sleeps()]:
            self.clock.sleep(pause)
            if self.get(url)["result"]["status"] in ("completed", "failed"):
                return


def terraform_sleeps() -> Sequence[float]:
    return [*TERRAFORM_SLEEPS, *([TERRAFORM_CAP] * 200)]


def uri_until_sleeps() -> Sequence[float]:
    return [URI_UNTIL_DELAY] * 180


def ours(emulator: Emulator, list_id: str, desired: List[str], clock: SimulatedClock, state: State) -> int:
    client = open_client(api_token=TOKEN, base_url=emulator.base_url, clock=clock, sleep=clock.sleep)
    with client:
        sync_items(client, emulator.config.account_id, "bench", desired, "exact", kind="ip")
    return 0


def terraform_inline(emulator: Emulator, list_id: str, desired: List[str], clock: SimulatedClock, state: State) -> int:
    """terraform v5 ``cloudflare_list`` with inline items: refresh, and on any difference one full PUT."""
    api = Api(emulator, list_id, clock)
    api.get(api.list_url)
    current = {item["ip"] for item in api.read_all(MAX_PAGE)}
    if current != set(desired):
        api.wait(api.write("PUT", [{"ip": ip} for ip in desired]), terraform_sleeps)
        api.get(api.list_url)  # the read after apply
        api.read_all(MAX_PAGE)
    return api.failed_writes


def terraform_list_item(
    emulator: Emulator, list_id: str, desired: List[str], clock: SimulatedClock, state: State
) -> int:
    """terraform v5 ``cloudflare_list_item`` per item: a search per refresh, a POST and a wait per new item, a
    DELETE per removed item without waiting (so the next write meets the pending operation)."""
    api = Api(emulator, list_id, clock)
    for ip in state:
        api.get(api.items_url, search=ip)  # refresh: searched without a page size
    wanted = set(desired)
    for ip, item_id in state.items():
        if ip not in wanted:
            api.write("DELETE", {"items": [{"id": item_id}]})
    for ip in desired:
        if ip not in state:
            api.wait(api.write("POST", [{"ip": ip}]), terraform_sleeps)
    return api.failed_writes


def uri_default_page(emulator: Emulator, list_id: str, desired: List[str], clock: SimulatedClock, state: State) -> int:
    """A playbook of ``uri`` tasks: read every page at the default size, POST the additions, DELETE the removals,
    each waited on with ``until`` (delay 5)."""
    api = Api(emulator, list_id, clock)
    current = {item["ip"]: item["id"] for item in api.read_all(None)}
    additions = [{"ip": ip} for ip in desired if ip not in current]
    wanted = set(desired)
    removals = [{"id": item_id} for ip, item_id in current.items() if ip not in wanted]
    if additions:
        api.wait(api.write("POST", additions), uri_until_sleeps)
    if removals:
        api.wait(api.write("DELETE", {"items": removals}), uri_until_sleeps)
    return api.failed_writes


STRATEGIES: Dict[str, Callable[[Emulator, str, List[str], SimulatedClock, State], int]] = {
    OURS: ours,
    TERRAFORM_INLINE: terraform_inline,
    "terraform v5 `cloudflare_list_item`": terraform_list_item,
    "`uri` tasks, default page size": uri_default_page,
}


def addresses(count: int, offset: int = 0) -> List[str]:
    base = int(ipaddress.IPv4Address("10.0.0.0"))
    return [str(ipaddress.IPv4Address(base + offset + index)) for index in range(count)]


def desired_for(current: List[str], scenario: str, rng: random.Random) -> List[str]:
    if scenario == NON_CANONICAL:
        return [f"{ip}/32" for ip in current]  # the same addresses, as a user may well write them
    if scenario == "1 added":
        return [*current, *addresses(1, offset=1 << 20)]
    changed = {"unchanged": 0, "1 replaced": 1, "100 replaced": 100, "10 % replaced": len(current) // 10}[scenario]
    replaced = set(rng.sample(range(len(current)), changed))
    fresh = iter(addresses(changed, offset=1 << 20))
    return [next(fresh) if index in replaced else ip for index, ip in enumerate(current)]


def write_counts(emulator: Emulator) -> Dict[str, int]:
    """The emulator's count of the account's item writes so far: requests, items carried, item changes."""
    counts = emulator.stats()["writes"].get(emulator.config.account_id, {})
    return {name: int(counts.get(name, 0)) for name in ("requests", "items", "item_changes")}


def run_one(size: int, scenario: str, strategy: Callable[..., int]) -> Run:
    clock = SimulatedClock()
    config = EmulatorConfig(token=TOKEN, rate_limit=10**9, max_items_per_account=10**7, operation_ttl_seconds=10**9)
    with Emulator(config, clock=clock, sleep=clock.sleep) as emulator:
        current = addresses(size)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        lists = f"{emulator.base_url}/accounts/{config.account_id}/rules/lists"
        list_id = session.post(lists, json={"name": "bench", "kind": "ip"}, timeout=30).json()["result"]["id"]
        session.put(f"{lists}/{list_id}/items", json=[{"ip": ip} for ip in current], timeout=60).raise_for_status()
        clock.sleep(3600)  # the seeding operation is long finished
        desired = desired_for(current, scenario, random.Random(SEED))
        state = {item["ip"]: item["id"] for item in Api(emulator, list_id, clock).read_all(MAX_PAGE)}
        requests_before, writes_before = emulator.request_count, write_counts(emulator)
        started, simulated_start = time.perf_counter(), clock()
        failed = strategy(emulator, list_id, desired, clock, state)
        wall, simulated = time.perf_counter() - started, clock() - simulated_start
        made = emulator.request_count - requests_before
        writes = {name: count - writes_before[name] for name, count in write_counts(emulator).items()}
        clock.sleep(3600)
        held = {item["ip"] for item in Api(emulator, list_id, clock).read_all(MAX_PAGE)}
        wanted = {ip.removesuffix("/32") for ip in desired}
        return Run(
            requests=made,
            operations=writes["requests"],
            items_written=writes["items"],
            item_changes=writes["item_changes"],
            planned=len(wanted ^ set(current)),
            wall=wall,
            simulated=simulated,
            failed_writes=failed,
            right=held == wanted,
        )


def planning_cpu(size: int) -> Dict[str, float]:
    current_raw = addresses(size)
    desired_raw = desired_for(current_raw, "10 % replaced", random.Random(SEED))
    current = [item_from_api("ip", {"id": f"{index:032x}", "ip": ip}) for index, ip in enumerate(current_raw)]
    started = time.process_time()
    desired = parse_items("ip", desired_raw)
    parsed = time.process_time()
    items_plan = plan(current, desired, "exact")
    planned = time.process_time()
    assert len(items_plan.add) == size // 10
    return {"parse": parsed - started, "plan": planned - parsed}


def targets(ours: Dict[str, Run]) -> List[str]:
    """Each target for our sync of ``TARGET_SIZE`` items, met or not, with the numbers."""
    lines = []
    changed = {scenario: run for scenario, run in ours.items() if run.planned}
    if "unchanged" in ours:
        run = ours["unchanged"]
        met = run.requests <= TARGET_UNCHANGED_REQUESTS and run.operations == 0
        lines.append(
            f"- {'met' if met else '**missed**'}: an unchanged sync of {TARGET_SIZE:,} items in at most "
            f"{TARGET_UNCHANGED_REQUESTS} requests and no write ({run.requests} requests, {run.operations} writes)"
        )
    if changed:
        met = all(run.items_written == run.planned for run in changed.values())
        shown = ", ".join(f"{scenario}: {run.items_written:,} of {run.planned:,}" for scenario, run in changed.items())
        lines.append(f"- {'met' if met else '**missed**'}: items written equal to the plan's size ({shown})")
        met = all(run.operations <= 2 for run in changed.values())
        shown = ", ".join(f"{scenario}: {run.operations}" for scenario, run in changed.items())
        lines.append(f"- {'met' if met else '**missed**'}: at most two bulk operations per change ({shown})")
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS), metavar="SCENARIO")
    parser.add_argument(
        "--strategies",
        nargs="+",
        choices=range(len(STRATEGIES)),
        type=int,
        metavar="N",
        help="which strategies, by position: 0 ours, 1 terraform inline, 2 cloudflare_list_item, 3 uri",
    )
    args = parser.parse_args(argv)
    chosen = [name for index, name in enumerate(STRATEGIES) if args.strategies is None or index in args.strategies]
    began = time.perf_counter()
    print(
        "| items | change | strategy | requests | bulk operations | planned changes | items written | "
        "quota item changes | wall (s) | simulated wait (s) | result |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ours: Dict[str, Run] = {}
    for size in args.sizes:
        for scenario in args.scenarios:
            runs = {
                name: run_one(size, scenario, STRATEGIES[name])
                for name in chosen
                if not (
                    STRATEGIES[name] is terraform_list_item
                    and scenario == NON_CANONICAL
                    and size > LIST_ITEM_REPLAY_LIMIT
                )
            }
            if size == TARGET_SIZE and OURS in runs:
                ours[scenario] = runs[OURS]
            baseline = runs.get(TERRAFORM_INLINE)
            for name, run in runs.items():
                ratio = f" ({run.requests / baseline.requests:.2f}\u00d7)" if baseline and baseline.requests else ""
                result = "right" if run.right else "**wrong**"
                if run.failed_writes:
                    result += f", {run.failed_writes} write(s) gave up on 429"
                print(
                    f"| {size:,} | {scenario} | {name} | {run.requests:,}{ratio} | {run.operations:,} | "
                    f"{run.planned:,} | {run.items_written:,} | {run.item_changes:,} | "
                    f"{run.wall:.2f} | {run.simulated:,.1f} | {result} |",
                    flush=True,
                )
    if ours:
        print(f"\nTargets for our sync of {TARGET_SIZE:,} items:")
        print("\n".join(targets(ours)))
    cpu = planning_cpu(PLANNING_SIZE)
    print()
    print(
        f"Planning {PLANNING_SIZE:,} items (10 % changed), in CPU seconds: canonicalizing the desired items "
        f"{cpu['parse']:.2f} s, the plan {cpu['plan']:.2f} s, {cpu['parse'] + cpu['plan']:.2f} s in all."
    )
    print(f"\nRan in {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
