"""Sync a 500,000-item list (Cloudflare's Enterprise cap) through the core's public call: requests, items written,
CPU and peak memory of an unchanged sync and of one-item changes.

The emulator runs in a process of its own, seeded with the list directly (its seeding write is placed outside the
write-quota window), with operations that finish at once and no rate limit, so the numbers are the sync's own. Each
sync runs in a fresh process of its own, so its CPU time and peak resident memory are its own too: the items it is
given are built first, and the peak before the sync is reported beside the peak after. The runs follow each other
on one list: unchanged, then one item added, then one item replaced. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import multiprocessing
import os
import resource
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "bench-large-token"  # noqa: S105 - the emulator's test credential
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
LIST_NAME = "large"
SIZE = 500_000
#: Cloudflare's write quota per account and 12 hours: a PUT of N items to a list of M counts N + M.
CLOUDFLARE_ITEM_CHANGES = 1_000_000
TARGET_CHANGE_REQUESTS = 1_100
SCENARIOS = ("unchanged", "1 added", "1 replaced")


def addresses(count: int, offset: int = 0) -> List[str]:
    base = int(ipaddress.IPv4Address("10.0.0.0"))
    return [str(ipaddress.IPv4Address(base + offset + index)) for index in range(count)]


def fingerprint(values: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(values)).encode()).hexdigest()


def desired_items(size: int) -> Dict[str, List[str]]:
    """What each run asks for, in order: the list as seeded, then one item added, then one of the seeded replaced."""
    seeded = addresses(size)
    first, second = addresses(2, offset=1 << 24)
    return {
        "unchanged": seeded,
        "1 added": [*seeded, first],
        "1 replaced": [*seeded[1:], first, second],
    }


# --------------------------------------------------------------------------------------------- emulator process
def serve(size: int, item_changes: int, connection: Any) -> None:
    """Run the emulator with a seeded list until told to stop; answer "fingerprint" requests meanwhile."""
    from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

    offset = [0.0]
    config = EmulatorConfig(
        token=TOKEN,
        account_id=ACCOUNT,
        pending_seconds=0.0,
        running_seconds=0.0,
        max_items_per_account=size + 1_000,
        max_body_bytes=256 * 1024 * 1024,
        rate_limit=10**9,
        write_quota_item_changes=item_changes,
    )
    emulator = Emulator(config, clock=lambda: time.monotonic() + offset[0])
    state = emulator.state
    list_id = state.create_list(ACCOUNT, {"name": LIST_NAME, "kind": "ip"})["id"]
    state.submit_write(ACCOUNT, list_id, "replace", [{"ip": ip} for ip in addresses(size)])
    offset[0] += config.write_quota_window_seconds + 1  # the seeding is long done, and out of the quota window
    assert state.get_list(ACCOUNT, list_id)["num_items"] == size
    with emulator:
        connection.send(emulator.stats_url)
        while True:
            command = connection.recv()
            if command != "fingerprint":
                return
            held = state.lists(ACCOUNT)[LIST_NAME]["items"]
            connection.send(fingerprint([item["ip"] for item in held]))


# ------------------------------------------------------------------------------------------------ sync process
def run_sync(base_url: str, desired: List[str], connection: Any) -> None:
    """One ``sync_items(..., "exact")`` in this fresh process; sends back what it cost and how it ended."""
    os.environ["CLOUDFLARE_LISTS_SHARED_BUDGET"] = "0"
    os.environ["CLOUDFLARE_LISTS_RATE"] = "1000000000/1"  # the client's own pacing is not what is measured
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_items

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before, started = cpu(), time.perf_counter()
    outcome = "right"
    try:
        with open_client(api_token=TOKEN, base_url=base_url) as client:
            sync_items(client, ACCOUNT, LIST_NAME, desired, "exact", kind="ip")
    except CloudflareListsError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    connection.send(
        {
            "cpu": cpu() - cpu_before,
            "wall": time.perf_counter() - started,
            "peak_before_mb": peak_before / 1024,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "outcome": outcome,
        }
    )


# ------------------------------------------------------------------------------------------------------ parent
@dataclass
class Run:
    scenario: str
    requests: int
    writes: int
    items_written: int
    item_changes: int
    cpu: float
    wall: float
    peak_before_mb: float
    peak_mb: float
    outcome: str


def stats(url: str) -> Dict[str, Any]:
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - the emulator on loopback
        document: Dict[str, Any] = json.loads(answer.read())
    return document


def counts(url: str) -> Tuple[int, Dict[str, int]]:
    document = stats(url)
    writes = document["writes"].get(ACCOUNT, {})
    return int(document["requests"]), {name: int(writes.get(name, 0)) for name in ("requests", "items", "item_changes")}


def measure(size: int, item_changes: int, scenarios: Sequence[str], report: Callable[[Run], None]) -> List[Run]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve, args=(size, item_changes, theirs), daemon=True)
    server.start()
    runs: List[Run] = []
    try:
        stats_url = ours.recv()
        base_url = stats_url.replace("/_emulator/stats", "/client/v4")
        wanted = desired_items(size)
        for scenario in scenarios:
            requests_before, writes_before = counts(stats_url)
            mine, child = context.Pipe()
            sync = context.Process(target=run_sync, args=(base_url, wanted[scenario], child))
            sync.start()
            result = mine.recv()
            sync.join()
            requests_after, writes_after = counts(stats_url)
            ours.send("fingerprint")
            outcome = result["outcome"]
            if outcome == "right" and ours.recv() != fingerprint(wanted[scenario]):
                outcome = "**wrong**"
            elif outcome != "right":
                ours.recv()
            run = Run(
                scenario=scenario,
                requests=requests_after - requests_before,
                writes=writes_after["requests"] - writes_before["requests"],
                items_written=writes_after["items"] - writes_before["items"],
                item_changes=writes_after["item_changes"] - writes_before["item_changes"],
                cpu=result["cpu"],
                wall=result["wall"],
                peak_before_mb=result["peak_before_mb"],
                peak_mb=result["peak_mb"],
                outcome=outcome,
            )
            report(run)
            runs.append(run)
    finally:
        ours.send("stop")
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()
    return runs


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument(
        "--quota-item-changes",
        type=int,
        default=CLOUDFLARE_ITEM_CHANGES,
        metavar="N",
        help="the emulator's item-change quota per account and 12 hours (default: Cloudflare's, %(default)s)",
    )
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS), metavar="SCENARIO")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    print(
        f"A list of {args.size:,} items; the emulator's write quota is {args.quota_item_changes:,} item changes "
        "per 12 hours.\n"
    )
    print(
        "| change | requests | bulk operations | items written | quota item changes | CPU (s) | "
        "peak memory (MB; before the sync) | wall (s) | result |"
    )
    print("|---|---|---|---|---|---|---|---|---|")

    def report(run: Run) -> None:
        print(
            f"| {run.scenario} | {run.requests:,} | {run.writes} | {run.items_written:,} | {run.item_changes:,} | "
            f"{run.cpu:.2f} | {run.peak_mb:,.0f} ({run.peak_before_mb:,.0f}) | {run.wall:.1f} | {run.outcome} |",
            flush=True,
        )

    runs = measure(args.size, args.quota_item_changes, args.scenarios, report)
    changed = [run for run in runs if run.scenario != "unchanged"]
    if changed:
        met = all(run.requests < TARGET_CHANGE_REQUESTS and run.outcome == "right" for run in changed)
        shown = ", ".join(f"{run.scenario}: {run.requests:,}" for run in changed)
        print(
            f"\nTarget: {'met' if met else '**missed**'}: a one-item change to {args.size:,} items, done right in "
            f"under {TARGET_CHANGE_REQUESTS:,} requests ({shown})."
        )
    print(f"\nRan in {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
