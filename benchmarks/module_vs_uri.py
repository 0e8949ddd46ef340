"""One status check through ansible-playbook: ``bulk_operation_info`` beside ``ansible.builtin.uri`` doing the same GET.

Two playbooks of CHECKS tasks each run against the emulator on 127.0.0.1: one task is ``bulk_operation_info`` (one
check, no wait), the other ``uri`` GETting the same bulk operation with the same token. Each ``ansible-playbook``
run is timed whole (start-up, every task, exit), in wall time and in CPU time (ansible-playbook and every process
it ran, the modules included); the two playbooks alternate, RUNS times each, starting with a different one each
round, and each round gives the ratios module / uri. It prints the runs and the median ratios as Markdown. On a
shared machine read the ratios, not the seconds; the CPU ratio is the steadier one. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

TOKEN = "module-vs-uri-bench-token"  # noqa: S105 - the emulator's test credential
PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))


def playbooks(server: Emulator, operation_id: str, checks: int, folder: Path) -> Dict[str, Path]:
    """``module`` and ``uri``: CHECKS tasks each, the same GET of the same operation."""
    account = server.config.account_id
    module_task = (
        "    - edgeops.cloudflare_lists.bulk_operation_info:\n"
        f"        account_id: {account}\n"
        f"        operation_id: {operation_id}\n"
        f"        base_url: {server.base_url}\n"
        f"        api_token: {TOKEN}\n"
    )
    uri_task = (
        "    - ansible.builtin.uri:\n"
        f"        url: {server.base_url}/accounts/{account}/rules/lists/bulk_operations/{operation_id}\n"
        "        headers:\n"
        f"          Authorization: Bearer {TOKEN}\n"
    )
    found = {}
    for name, task in (("module", module_task), ("uri", uri_task)):
        path = folder / f"{name}.yml"
        path.write_text(
            "- hosts: localhost\n"
            "  connection: local\n"
            "  gather_facts: false\n"
            f"  vars:\n    ansible_python_interpreter: {sys.executable}\n"
            "  tasks:\n" + task * checks
        )
        found[name] = path
    return found


def environment(folder: Path, collections: Optional[Path]) -> Dict[str, str]:
    """A clean Ansible and Cloudflare environment; the collection is the one in ``collections``, else the one on
    sys.path (the editable install)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLOUDFLARE_", "ANSIBLE_"))}
    if collections is None:
        collections = folder / "collections"
        collections.mkdir(exist_ok=True)
    else:
        env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_LOCAL_TEMP=str(folder / "tmp"),
        ANSIBLE_REMOTE_TEMP=str(folder / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        XDG_CACHE_HOME=str(folder / "cache"),
    )
    return env


class Timing(NamedTuple):
    wall: float  # seconds, start to exit
    cpu: float  # CPU seconds (user and system) of ansible-playbook and every process it ran


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(playbook: Path, env: Dict[str, str]) -> Timing:
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [PLAYBOOK, "-i", "localhost,", str(playbook)], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "failed=0" not in done.stdout:
        raise SystemExit(f"{playbook.name} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr}")
    return Timing(elapsed, children_cpu() - cpu)


def measure(runs: int, checks: int, collections: Optional[Path]) -> List[Tuple[Timing, Timing]]:
    """``(module, uri)`` timings per round, after one warm-up round."""
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.0, running_seconds=0.0, rate_limit=1_000_000)
    with Emulator(config) as server, tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        list_id = server.state.create_list(config.account_id, {"name": "bench", "kind": "ip"})["id"]
        operation_id = server.state.submit_write(config.account_id, list_id, "append", [{"ip": "192.0.2.1"}])
        books = playbooks(server, operation_id, checks, folder)
        env = environment(folder, collections)
        run(books["module"], env)
        run(books["uri"], env)
        rounds = []
        for index in range(runs):
            order = ("module", "uri") if index % 2 == 0 else ("uri", "module")
            times = {name: run(books[name], env) for name in order}
            rounds.append((times["module"], times["uri"]))
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds, each one run of either playbook (default 9)")
    parser.add_argument("--checks", type=int, default=10, help="tasks per playbook (default 10)")
    parser.add_argument(
        "--collections-path",
        type=Path,
        help="measure the collection under this path (PATH/ansible_collections/edgeops/cloudflare_lists, e.g. "
        "another commit's) instead of the installed one",
    )
    args = parser.parse_args()
    if shutil.which(PLAYBOOK) is None:
        raise SystemExit(f"{PLAYBOOK} is missing: run 'make install' first")
    rounds = measure(args.runs, args.checks, args.collections_path)
    print(f"### `bulk_operation_info` beside `uri`: {args.checks} status checks per playbook, {args.runs} rounds\n")
    print("| round | module wall (s) | uri wall (s) | wall ratio | module CPU (s) | uri CPU (s) | CPU ratio |")
    print("|---|---|---|---|---|---|---|")
    for index, (module, uri) in enumerate(rounds, 1):
        print(
            f"| {index} | {module.wall:.2f} | {uri.wall:.2f} | {module.wall / uri.wall:.3f} "
            f"| {module.cpu:.2f} | {uri.cpu:.2f} | {module.cpu / uri.cpu:.3f} |"
        )
    for kind in ("wall", "cpu"):
        ratio = statistics.median(getattr(module, kind) / getattr(uri, kind) for module, uri in rounds)
        extra = statistics.median((getattr(module, kind) - getattr(uri, kind)) / args.checks for module, uri in rounds)
        label = "wall time" if kind == "wall" else "CPU time"
        print(f"\nMedian {label} ratio module / uri: **{ratio:.3f}** ({extra * 1000:+.0f} ms per check).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
