"""One status check through ansible-playbook: ``bulk_operation_info`` beside ``ansible.builtin.uri`` doing the same GET.

Playbooks of CHECKS tasks each run against the emulator on 127.0.0.1: in one, each task is ``bulk_operation_info``
(one check, no wait); in the other, ``uri`` GETting the same bulk operation with the same token. Each
``ansible-playbook`` run is timed whole (start-up, every task, exit), in wall time and in CPU time (ansible-playbook
and every process it ran, the modules included). The playbooks alternate, RUNS rounds of one run each, each round in
another order, and each round gives the ratios module / uri; it prints the runs and the median ratios as Markdown.
``--collection PATH`` times the module of a collection copied there (``git archive`` of a commit, say) rather than
the installed one, and ``--compare-with PATH`` adds another's to every round. On a shared
machine read the ratios, not the seconds; the CPU ratio is the steadier one. See README.md beside this file.
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
from typing import Dict, List, NamedTuple, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig

TOKEN = "module-vs-uri-bench-token"  # noqa: S105 - the emulator's test credential
PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
URI = "uri"


class Timing(NamedTuple):
    wall: float  # seconds, start to exit
    cpu: float  # CPU seconds (user and system) of ansible-playbook and every process it ran


class Contestant(NamedTuple):
    name: str
    playbook: Path
    env: Dict[str, str]


def playbook(folder: Path, name: str, task: str, checks: int) -> Path:
    path = folder / f"{name}.yml"
    path.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        f"  vars:\n    ansible_python_interpreter: {sys.executable}\n"
        "  tasks:\n" + task * checks
    )
    return path


def environment(folder: Path, collections: Optional[Path]) -> Dict[str, str]:
    """A clean Ansible and Cloudflare environment; the collection is the one under ``collections``, else the one on
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


def contestants(
    server: Emulator,
    operation_id: str,
    checks: int,
    folder: Path,
    collection: Optional[Path] = None,
    compare_with: Optional[Path] = None,
) -> List[Contestant]:
    """The module (the installed collection's or ``collection``'s, and ``compare_with``'s), and ``uri``: the same
    GET, CHECKS times."""
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
    module = playbook(folder, "module", module_task, checks)
    found = [Contestant("module", module, environment(folder, collection))]
    if compare_with is not None:
        found.append(Contestant(f"module ({compare_with})", module, environment(folder, compare_with)))
    found.append(Contestant(URI, playbook(folder, URI, uri_task, checks), environment(folder, None)))
    return found


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(contestant: Contestant) -> Timing:
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [PLAYBOOK, "-i", "localhost,", str(contestant.playbook)],
        env=contestant.env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "failed=0" not in done.stdout:
        raise SystemExit(f"{contestant.name} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr}")
    return Timing(elapsed, children_cpu() - cpu)


def measure(
    runs: int, checks: int, collection: Optional[Path], compare_with: Optional[Path]
) -> List[Dict[str, Timing]]:
    """Each contestant's timing per round, after one warm-up round."""
    config = EmulatorConfig(token=TOKEN, pending_seconds=0.0, running_seconds=0.0, rate_limit=1_000_000)
    with Emulator(config) as server, tempfile.TemporaryDirectory() as temporary:
        list_id = server.state.create_list(config.account_id, {"name": "bench", "kind": "ip"})["id"]
        operation_id = server.state.submit_write(config.account_id, list_id, "append", [{"ip": "192.0.2.1"}])
        field = contestants(server, operation_id, checks, Path(temporary), collection, compare_with)
        for contestant in field:
            run(contestant)
        rounds = []
        for index in range(runs):
            shift = index % len(field)
            rounds.append({c.name: run(c) for c in field[shift:] + field[:shift]})
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds, each one run of every playbook (default 9)")
    parser.add_argument("--checks", type=int, default=10, help="tasks per playbook (default 10)")
    parser.add_argument(
        "--collection",
        type=Path,
        metavar="PATH",
        help="time the module of the collection under PATH (PATH/ansible_collections/edgeops/cloudflare_lists) "
        "rather than the installed one",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="PATH",
        help="also time the module of the collection under PATH (PATH/ansible_collections/edgeops/cloudflare_lists)",
    )
    args = parser.parse_args()
    if shutil.which(PLAYBOOK) is None:
        raise SystemExit(f"{PLAYBOOK} is missing: run 'make install' first")
    rounds = measure(args.runs, args.checks, args.collection, args.compare_with)
    modules = [name for name in rounds[0] if name != URI]
    print(f"### `bulk_operation_info` beside `uri`: {args.checks} status checks per playbook, {args.runs} rounds\n")
    print("| round | " + " | ".join(f"{name} wall / CPU (s)" for name in rounds[0]) + " |")
    print("|---|" + "---|" * len(rounds[0]))
    for index, timings in enumerate(rounds, 1):
        cells = [f"{timing.wall:.2f} / {timing.cpu:.2f}" for timing in timings.values()]
        print(f"| {index} | " + " | ".join(cells) + " |")
    print()
    for name in modules:
        for kind, label in (("wall", "wall time"), ("cpu", "CPU time")):
            ratio = statistics.median(getattr(t[name], kind) / getattr(t[URI], kind) for t in rounds)
            extra = statistics.median((getattr(t[name], kind) - getattr(t[URI], kind)) / args.checks for t in rounds)
            print(f"- {name} / uri, median {label} ratio: **{ratio:.3f}** ({extra * 1000:+.0f} ms per check)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
