"""Fleets against the emulator with Cloudflare's real limit (1,200 requests per 300 s per user), in real time.

(a) 1,000 operations, one per account, finishing 30 s after they start: one `cloudflare-lists wait --from`
    process, beside terraform v5's poller replayed for each operation (50 at a time, as parallel resources).
(b) 200 concurrent `cloudflare-lists wait` processes on one host, one operation each.
(c) 20 concurrent `cloudflare-lists sync` processes, each on its own list in one account.

Every scenario gets a fresh emulator and a fresh budget folder. The emulator counts its 429s by kind. Not a test:
it takes about 10 minutes and asserts nothing; it prints a Markdown table. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

TOKEN = "fleet-bench-token"  # noqa: S105 - the emulator's test credential
COMMAND = str(Path(sys.executable).with_name("cloudflare-lists"))
LIMIT, WINDOW = 1200, 300.0
PENDING, RUNNING = 10.0, 20.0  # every operation finishes 30 s after it starts
TERRAFORM_SLEEPS = (1.0, 2.0, 4.0, 8.0, 16.0)
TERRAFORM_CAP = 30.0
SDK_RETRIES = 2
DEADLINE = 900.0


@dataclass
class Row:
    scenario: str
    approach: str
    operations: int
    right: int
    wall: float
    floor: float
    requests: int
    throttled: Dict[str, int]
    memory_mb: Optional[float] = None
    note: str = ""


def emulator(**overrides: float) -> Emulator:
    config = EmulatorConfig(
        token=TOKEN,
        pending_seconds=overrides.get("pending", PENDING),
        running_seconds=overrides.get("running", RUNNING),
        rate_limit=LIMIT,
        rate_window_seconds=WINDOW,
    )
    return Emulator(config).start()


def environment(server: Emulator, cache: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "XDG_CACHE_HOME"))}
    env.update(
        CLOUDFLARE_API_TOKEN=TOKEN,
        CLOUDFLARE_BASE_URL=server.base_url,
        CLOUDFLARE_ACCOUNT_ID=server.config.account_id,
        XDG_CACHE_HOME=cache,
    )
    return env


def start_operations(server: Emulator, count: int) -> List[tuple[str, str]]:
    """One operation per account, started through the emulator's own state (setup is not what is measured)."""
    pairs = []
    for index in range(count):
        account = f"{index + 1:032x}"
        list_id = server.state.create_list(account, {"name": "fleet", "kind": "ip"})["id"]
        operation = server.state.submit_write(
            account, list_id, "append", [{"ip": f"10.{index // 250}.{index % 250}.1"}]
        )
        pairs.append((account, operation))
    return pairs


def ours_one_process(count: int) -> Row:
    server = emulator()
    with tempfile.TemporaryDirectory() as cache:
        pairs = start_operations(server, count)
        started = time.monotonic()
        listing = Path(cache) / "operations.txt"
        listing.write_text("\n".join(f"{a}:{o}" for a, o in pairs))
        process = subprocess.Popen(
            [COMMAND, "wait", "--from", str(listing), "--timeout", str(DEADLINE), "--no-progress"],
            env=environment(server, cache),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout, stderr = process.communicate()
        wall = time.monotonic() - started
        memory = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        right = sum(1 for line in lines if line["outcome"] == "completed")
        row = Row(
            f"(a) {count:,} operations, one per account",
            "**ours**: one `wait --from` process",
            count,
            right,
            wall,
            max(PENDING + RUNNING, count / (LIMIT / WINDOW)),
            server.request_count,
            server.throttled_counts,
            memory,
            "" if process.returncode == 0 else f"exit {process.returncode}: {stderr.strip()[-200:]}",
        )
    server.stop()
    return row


def terraform_poller(count: int, parallel: int = 50) -> Row:
    """Each operation polled as terraform v5 does (at once, then 1, 2, 4, 8, 16, 30, 30 ... s), 429s retried by
    the SDK after Retry-After, up to ``DEADLINE``."""
    server = emulator()
    pairs = start_operations(server, count)
    session_local = threading.local()
    started = time.monotonic()

    def poll(pair: tuple[str, str]) -> bool:
        session = getattr(session_local, "session", None)
        if session is None:
            session = session_local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {TOKEN}"
        url = f"{server.base_url}/accounts/{pair[0]}/rules/lists/bulk_operations/{pair[1]}"
        pauses = iter([*TERRAFORM_SLEEPS] + [TERRAFORM_CAP] * 1000)
        while time.monotonic() - started < DEADLINE:
            for _attempt in range(1 + SDK_RETRIES):
                answer = session.get(url, timeout=30)
                if answer.status_code != 429:
                    break
                time.sleep(float(answer.headers.get("Retry-After", "1")))
            else:
                return False  # the SDK gave up: the apply fails with a 429
            if answer.ok and answer.json()["result"]["status"] == "completed":
                return True
            time.sleep(next(pauses))
        return False

    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(poll, pairs))
    wall = time.monotonic() - started
    row = Row(
        f"(a) {count:,} operations, one per account",
        f"terraform v5's poller, {parallel} at a time",
        count,
        sum(results),
        wall,
        max(PENDING + RUNNING, count / (LIMIT / WINDOW)),
        server.request_count,
        server.throttled_counts,
    )
    server.stop()
    return row


def processes(count: int, command: str) -> Row:
    """``count`` concurrent processes, each a `wait` on its own operation, or a `sync` of its own list."""
    pending, running = (PENDING, RUNNING) if command == "wait" else (1.0, 1.0)
    server = emulator(pending=pending, running=running)
    with tempfile.TemporaryDirectory() as cache:
        env = environment(server, cache)
        pairs = start_operations(server, count) if command == "wait" else []
        started = time.monotonic()
        running_processes = []
        for index in range(count):
            if command == "wait":
                argv = [COMMAND, "wait", pairs[index][0], pairs[index][1], "--timeout", str(DEADLINE), "--no-progress"]
                stdin = None
            else:
                argv = [COMMAND, "sync", f"team_{index}", "--kind", "ip", "--file", "-", "--timeout", str(DEADLINE)]
                stdin = f"10.{index}.0.1\n10.{index}.0.2\n"
            process = subprocess.Popen(
                argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            running_processes.append((process, stdin))
        outcomes = [process.communicate(stdin) for process, stdin in running_processes]
        wall = time.monotonic() - started
        right = 0
        for (process, _stdin), (stdout, _stderr) in zip(running_processes, outcomes):
            if process.returncode == 0:
                document = json.loads(stdout)
                status = document["status"] if command == "wait" else document["operation"]["status"]
                right += status == "completed"
        if command == "wait":
            row = Row(
                f"(b) {count:,} `wait` processes on one host",
                "**ours**: one process per operation",
                count,
                right,
                wall,
                PENDING + RUNNING,
                server.request_count,
                server.throttled_counts,
            )
        else:
            own = count * (pending + running)
            row = Row(
                f"(c) {count:,} `sync` processes, one account",
                "**ours**: one process per list",
                count,
                right,
                wall,
                own,
                server.request_count,
                server.throttled_counts,
                note=f"the operations' own durations add up to {own:g} s",
            )
    server.stop()
    return row


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=200)
    parser.add_argument("--syncs", type=int, default=20)
    parser.add_argument("--skip-terraform", action="store_true")
    args = parser.parse_args(argv)
    began = time.monotonic()
    rows = [ours_one_process(args.operations)]
    if not args.skip_terraform:
        rows.append(terraform_poller(args.operations))
    rows.append(processes(args.processes, "wait"))
    rows.append(processes(args.syncs, "sync"))
    print("| scenario | approach | right | wall (s) | wall ÷ floor | requests | 429s (rate limit / pending) | memory |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        memory = f"{row.memory_mb:.0f} MB" if row.memory_mb is not None else ""
        print(
            f"| {row.scenario} | {row.approach} | {row.right:,} of {row.operations:,} | {row.wall:.0f} | "
            f"{row.wall / row.floor:.2f} | {row.requests:,} | {row.throttled['rate_limit']:,} / "
            f"{row.throttled['operation_pending']:,} | {memory} |"
        )
        if row.note:
            print(f"|  | {row.note} |  |  |  |  |  |  |")
    print(
        f"\nFloors: (a) max(30 s, N ÷ (1,200/300 s)); (b) the operations' 30 s; (c) the sum of the operations' own"
        f" durations, since one account runs one at a time. Ran in {time.monotonic() - began:.0f} s."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
