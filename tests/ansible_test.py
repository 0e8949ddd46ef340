"""Test the collection the way Ansible's tooling sees it: ansible-test sanity, units and integration, then ansible-lint.

Run from the repository (the Makefile puts .venv/bin first on PATH)::

    PATH=.venv/bin:$PATH .venv/bin/python tests/ansible_test.py [STAGE ...]

Stages, in order: prerequisites, workspace, sanity, units, integration, lint (default: all; naming some runs those,
with prerequisites and workspace added when an ansible-test stage needs them).

ansible-test only runs inside a directory laid out as ``ansible_collections/<namespace>/<name>`` and follows no
symlink out of it, so the collection as its tarball would hold it (the files git knows about, less galaxy.yml's
``build_ignore``) is copied to ``.work/ansible_collections/edgeops/cloudflare_lists`` (git-ignored) before each
run. The Python packages beside the collection (the command, the emulator, the Pulumi provider) are not part of
it; ruff, mypy and pytest check those. Fix files in the repository,
never in that copy: it is rebuilt every time.

This host reaches package registries but not ansible-test's own download host. ansible-test fetches ``get-pip.py``
from there for every virtual environment it builds; a stand-in in ``~/.ansible/test/cache`` bootstraps pip with
``ensurepip`` instead, and pip then installs the test requirements from PyPI as usual.

Exits 0 when every stage passed; otherwise prints which stage failed and exits 1.
"""

from __future__ import annotations

import filecmp
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence
from xml.etree import ElementTree

import tomllib

REPO = Path(__file__).resolve().parents[1]
PYTHON_VERSION = "3.11"
GET_PIP_MARKER = "# edgeops ansible_test.py stand-in for get-pip.py"
GET_PIP_STAND_IN = f'''{GET_PIP_MARKER}
"""Bootstrap pip with ensurepip instead of downloading get-pip.py, then install what ansible-test asked for."""
import subprocess
import sys

DROPPED = ("--no-setuptools", "--no-wheel")  # pip >= 24 accepts neither
args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", *args])
'''
# pslint needs PowerShell, which this collection neither has nor needs; every other sanity test must run.
ALLOWED_SANITY_SKIPS = {"pslint"}
# What the core and its unit tests import beyond ansible-core and pytest (cryptography: test certificates).
UNIT_TEST_PACKAGES = {"requests", "urllib3", "responses", "hypothesis", "cryptography"}
# Directories of the workspace that are not copies: ansible-test's output, and the git repository made for it.
KEEP_IN_WORKSPACE = {".git", "tests/output"}


class StageFailed(Exception):
    """A stage did not pass; the message says why, in one line."""


def log(message: str) -> None:
    print(f"ansible_test.py: {message}", flush=True)


def tool(name: str) -> str:
    """An executable from this interpreter's environment (the project venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise StageFailed(f"'{name}' is not installed; run 'make venv' (pip install -e '.[dev]') first")
    return found


def galaxy_identity() -> tuple[str, str]:
    text = (REPO / "galaxy.yml").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^(namespace|name):\s*['\"]?([a-z0-9_]+)", text, re.MULTILINE))
    return fields["namespace"], fields["name"]


NAMESPACE, NAME = galaxy_identity()
WORKSPACE = REPO / ".work" / "ansible_collections" / NAMESPACE / NAME


def clean_environment() -> Dict[str, str]:
    """The caller's environment without anything that could point a test at a real account or another collection."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLOUDFLARE_", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG"))
    }
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


# What pip and ansible-test say while they install a test's requirements: which packages were fetched, from where,
# and that they were installed. A person needs none of it; it stays in FULL_LOG.
PIP_CHATTER = re.compile(
    r"^\s*(Collecting |Downloading |Using cached |Installing collected packages|Successfully installed |"
    r"Requirement already satisfied|Obtaining |Preparing metadata|Building wheels? |Created wheel |Stored in directory|"
    r"Installing build dependencies|Getting requirements to build|Attempting uninstall|Found existing installation|"
    r"Uninstalling |Successfully uninstalled|Installing requirements for Python|\u2501)"
)
# ansible-test's notice that en_US.UTF-8 is missing here (it uses C.UTF-8, which these tests are fine with).
LOCALE_NOTICE = re.compile(r'^WARNING: Using locale "C\.UTF-8" instead of "en_US\.UTF-8"')
REVIEW_NOTICE = re.compile(r"^WARNING: Reviewing previous 1 warning\(s\):")
# ansible-lint reports the warnings Python raised while it ran, PYTHONWARNINGS notwithstanding; this one is
# cryptography's notice to ansible-core (see the Makefile).
THIRD_PARTY_NOTICE = re.compile(r"^WARNING .*CryptographyDeprecationWarning DSA is deprecated")
FULL_LOG = REPO / ".work" / "ansible_test.log"


class QuietOutput:
    """Passes a command's output on, less PIP_CHATTER, THIRD_PARTY_NOTICE and the locale notice (with its review,
    when alone)."""

    def __init__(self) -> None:
        self.held: Optional[str] = None  # a "Reviewing previous 1 warning(s)" line, until the next one shows what

    def __call__(self, line: str) -> str:
        held, self.held = self.held, None
        if REVIEW_NOTICE.match(line):
            self.held = line
            return held or ""
        if PIP_CHATTER.match(line) or LOCALE_NOTICE.match(line) or THIRD_PARTY_NOTICE.match(line):
            return ""
        return (held or "") + line


def run(command: Sequence[str], *, cwd: Path) -> None:
    """Run a command, showing its output less what QuietOutput drops (all of it goes to FULL_LOG).

    Raises StageFailed on failure.
    """
    printable = " ".join(command)
    log(f"$ {printable}  (in {cwd})")
    FULL_LOG.parent.mkdir(parents=True, exist_ok=True)
    quiet = QuietOutput()
    with FULL_LOG.open("a", encoding="utf-8") as full:
        full.write(f"$ {printable}  (in {cwd})\n")
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=clean_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert process.stdout is not None
        for line in process.stdout:
            full.write(line)
            sys.stdout.write(quiet(line))
            sys.stdout.flush()
        code = process.wait()
    if code != 0:
        raise StageFailed(f"'{Path(command[0]).name} {' '.join(command[1:3])}' exited with status {code}")


# Stages -----------------------------------------------------------------------------------------------------------


def stage_prerequisites() -> None:
    """Python 3.11 for ansible-test, shellcheck for its shellcheck test, and the get-pip.py stand-in."""
    if shutil.which(f"python{PYTHON_VERSION}") is None:
        raise StageFailed(f"python{PYTHON_VERSION} is not on PATH; ansible-test runs its tests with it")
    tool("ansible-test")
    if "lint" in PLANNED:
        tool("ansible-lint")
    ensure_shellcheck()
    install_get_pip_stand_in()


def ensure_shellcheck() -> None:
    if shutil.which("shellcheck"):
        return
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise StageFailed(
            "shellcheck is missing and there is no apt-get to install it; install shellcheck "
            "(without it ansible-test skips its shellcheck sanity test)"
        )
    if os.geteuid() != 0:
        raise StageFailed("shellcheck is missing; install it with 'sudo apt-get install -y shellcheck', or run as root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = [apt_get, "install", "-y", "-qq", "--no-install-recommends", "shellcheck"]
    log(f"shellcheck is missing; installing it with apt-get (its output: {FULL_LOG})")
    FULL_LOG.parent.mkdir(parents=True, exist_ok=True)
    with FULL_LOG.open("a", encoding="utf-8") as full:

        def apt(command: List[str]) -> bool:
            full.write(f"$ {' '.join(command)}\n")
            full.flush()
            return subprocess.run(command, env=env, stdout=full, stderr=subprocess.STDOUT, check=False).returncode == 0

        if not apt(install):
            log("apt-get install failed; refreshing the package lists and trying again")
            if not (apt([apt_get, "update", "-qq"]) and apt(install)):
                raise StageFailed(f"could not install shellcheck with apt-get (see {FULL_LOG}); install it by hand")
    if shutil.which("shellcheck") is None:
        raise StageFailed("apt-get installed shellcheck but it is not on PATH")


def ansible_test_pip_version() -> str:
    """The pip version ansible-test bootstraps, which names the get-pip.py file it looks for in its cache."""
    # Not "import ansible_test": this script's own name would shadow the package.
    try:
        distribution = metadata.distribution("ansible-core")
        source = Path(str(distribution.locate_file("ansible_test/_internal/python_requirements.py")))
        text = source.read_text(encoding="utf-8")
    except (metadata.PackageNotFoundError, OSError) as exc:
        raise StageFailed(f"cannot read ansible-test's pip version: {exc}") from None
    match = re.search(r"\bpip='([0-9.]+)'", text)
    if match is None:
        raise StageFailed(f"cannot find the pip version ansible-test bootstraps in {source}")
    return match.group(1)


def install_get_pip_stand_in() -> None:
    version = ansible_test_pip_version()
    path = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{version.replace('.', '_')}.py"
    if path.exists() and not path.read_text(encoding="utf-8").startswith(GET_PIP_MARKER):
        log(f"keeping the existing {path} (not ours, presumably the real get-pip.py)")
        return
    if not path.exists() or path.read_text(encoding="utf-8") != GET_PIP_STAND_IN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GET_PIP_STAND_IN, encoding="utf-8")
        log(f"wrote the get-pip.py stand-in {path}")


def stage_workspace() -> None:
    """Make .work/ansible_collections/<namespace>/<name> hold exactly the collection's files.

    ansible-test's output (tests/output, which also holds the venv it builds for units) is kept between runs.
    """
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        raise StageFailed(f"git ls-files failed in {REPO}: {listing.stderr.decode(errors='replace').strip()}")
    ignored = build_ignore()
    wanted = {
        name: REPO / name
        for name in listing.stdout.decode("utf-8").split("\0")
        # Skip files deleted in the working tree but still in the index.
        if name and ((REPO / name).is_symlink() or (REPO / name).exists()) and not is_build_ignored(name, ignored)
    }
    WORKSPACE.mkdir(parents=True, exist_ok=True)
    removed = 0
    for root, directories, files in os.walk(WORKSPACE, topdown=True):
        prefix = Path(root).relative_to(WORKSPACE).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        directories[:] = [name for name in directories if prefix + name not in KEEP_IN_WORKSPACE]
        for name in files:
            if prefix + name not in wanted:
                (Path(root) / name).unlink()
                removed += 1
    updated = 0
    for name, source in sorted(wanted.items()):
        target = WORKSPACE / name
        if same_file(source, target):
            continue
        if target.is_symlink() or target.exists():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        updated += 1
    # ansible-test lists content with git when it finds a .git, walking up: without one here it would find this
    # repository's, where .work/ is ignored, and see no files at all.
    if not (WORKSPACE / ".git").exists():
        subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(WORKSPACE)], check=True)
    # The tarball leaves .gitignore out; without this, ansible-test would lint its own venvs in tests/output.
    (WORKSPACE / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (WORKSPACE / ".git" / "info" / "exclude").write_text("/tests/output/\n", encoding="utf-8")
    log(f"{WORKSPACE}: {len(wanted)} files, {updated} copied, {removed} removed")


def build_ignore() -> List[str]:
    import yaml  # ansible-core's dependency, so present wherever ansible-test is

    manifest = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    return [str(pattern) for pattern in manifest.get("build_ignore") or []]


def is_build_ignored(name: str, patterns: Sequence[str]) -> bool:
    """As ansible-galaxy decides: a pattern matches the file's path, or the path of a folder above it."""
    parts = name.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(fnmatch.fnmatch(path, pattern) for path in candidates for pattern in patterns)


def same_file(source: Path, target: Path) -> bool:
    if source.is_symlink() or target.is_symlink():
        return source.is_symlink() and target.is_symlink() and os.readlink(source) == os.readlink(target)
    return (
        target.is_file()
        and source.stat().st_mode == target.stat().st_mode
        and filecmp.cmp(source, target, shallow=False)
    )


def stage_sanity() -> None:
    junit = WORKSPACE / "tests" / "output" / "junit"
    shutil.rmtree(junit, ignore_errors=True)
    try:
        run([tool("ansible-test"), "sanity", "--python", PYTHON_VERSION, "--color", "no", "--junit"], cwd=WORKSPACE)
    finally:
        ran, not_applicable, skipped = sanity_outcomes(junit)
        log(
            f"sanity: {len(ran)} tests ran; no files to check: {', '.join(not_applicable) or 'none'}; "
            f"skipped: {', '.join(sorted(skipped)) or 'none'}"
        )
    unexpected = {name: reason for name, reason in skipped.items() if name not in ALLOWED_SANITY_SKIPS}
    if unexpected:
        details = "; ".join(f"{name}: {reason}" for name, reason in sorted(unexpected.items()))
        raise StageFailed(f"sanity tests were skipped, and every test but pslint must run: {details}")


def sanity_outcomes(junit: Path) -> tuple[List[str], List[str], Dict[str, str]]:
    """From ansible-test's junit files: the tests that ran, those with no files to check, and those skipped (why)."""
    ran: List[str] = []
    not_applicable: List[str] = []
    skipped: Dict[str, str] = {}
    for path in sorted(junit.glob("*.xml")):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            name = re.sub(r"-python-[0-9.]+$", "", case.get("name", path.stem))
            skip = case.find("skipped")
            if skip is None:
                ran.append(name)
            elif (skip.get("message") or skip.text or "").strip() == "No tests applicable.":
                not_applicable.append(name)
            else:
                skipped[name] = (skip.get("message") or skip.text or "no reason given").strip()
    return ran, not_applicable, skipped


def ensure_unit_requirements() -> None:
    """ansible-test installs tests/unit/requirements.txt into its units venv; derive one if the repository has none.

    The core needs requests and urllib3, and its tests use responses and hypothesis: the versions come from
    pyproject.toml, so there is one place to change them.
    """
    target = WORKSPACE / "tests" / "unit" / "requirements.txt"
    if target.exists():
        return
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project.get("dependencies", [])) + list(project.get("optional-dependencies", {}).get("dev", []))
    wanted = [spec for spec in declared if re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower() in UNIT_TEST_PACKAGES]
    target.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    log(f"tests/unit/requirements.txt is missing; the units venv gets {', '.join(wanted)} (from pyproject.toml)")


def stage_units() -> None:
    ensure_unit_requirements()
    # --venv: ansible-test builds its own venv with pytest, pytest-xdist and friends from PyPI. Only the collection's
    # plugin tests run here; the Python packages beside the collection are tested by the plain pytest stage.
    run(
        [tool("ansible-test"), "units", "--python", PYTHON_VERSION, "--venv", "--color", "no", "tests/unit/plugins/"],
        cwd=WORKSPACE,
    )


def stage_integration() -> None:
    # --local: the targets run the project venv's Python, where requests (which the module needs) and the emulator
    # package (edgeops_cloudflare_lists, which runme.sh starts) are installed. A --venv built by ansible-test would
    # have neither, and --venv-system-site-packages would see the base interpreter's packages, not this venv's.
    # The collection itself is still the workspace copy: ansible-test puts it first on the collections path.
    run([tool("ansible-test"), "integration", "--python", PYTHON_VERSION, "--local", "--color", "no"], cwd=WORKSPACE)


def stage_lint() -> None:
    # The repository root is the collection: this lints galaxy.yml, meta/, changelogs/, the integration targets and
    # the example playbooks in examples/ansible/, with the strictest profile.
    run([tool("ansible-lint"), "--offline", "--profile", "production", "--nocolor"], cwd=REPO)


STAGES: Dict[str, Callable[[], None]] = {
    "prerequisites": stage_prerequisites,
    "workspace": stage_workspace,
    "sanity": stage_sanity,
    "units": stage_units,
    "integration": stage_integration,
    "lint": stage_lint,
}
NEEDS_WORKSPACE = {"sanity", "units", "integration"}
# Stages the others depend on: when one fails, the run stops there. Any other failure is reported, and the
# remaining stages still run, so one run shows everything that needs fixing.
SETUP_STAGES = {"prerequisites", "workspace"}


def plan(requested: Sequence[str]) -> List[str]:
    unknown = [name for name in requested if name not in STAGES]
    if unknown:
        raise SystemExit(f"ansible_test.py: unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}")
    wanted = set(requested or STAGES)
    if wanted & NEEDS_WORKSPACE:
        wanted |= {"prerequisites", "workspace"}
    return [name for name in STAGES if name in wanted]


# The stages this run will go through (set by main).
PLANNED: List[str] = []


def main(argv: Optional[Sequence[str]] = None) -> int:
    stages = plan(list(sys.argv[1:] if argv is None else argv))
    PLANNED[:] = stages
    FULL_LOG.parent.mkdir(parents=True, exist_ok=True)
    FULL_LOG.write_text("", encoding="utf-8")
    outcomes: List[tuple[str, str, float]] = []
    started = time.monotonic()
    for name in stages:
        log(f"== stage {name}")
        begin = time.monotonic()
        try:
            STAGES[name]()
        except (StageFailed, OSError, subprocess.SubprocessError) as failure:
            outcomes.append((name, "FAILED", time.monotonic() - begin))
            log(f"FAILED at stage '{name}' after {outcomes[-1][2]:.1f} s: {failure}")
            if name in SETUP_STAGES:
                break  # nothing after it can run
            continue
        outcomes.append((name, "passed", time.monotonic() - begin))
        log(f"== stage {name} passed in {outcomes[-1][2]:.1f} s")
    summary = ", ".join(f"{name} {outcome} {seconds:.1f} s" for name, outcome, seconds in outcomes)
    failed = [name for name, outcome, _seconds in outcomes if outcome == "FAILED"]
    elapsed = time.monotonic() - started
    if failed:
        log(f"FAILED stage(s): {', '.join(failed)} ({elapsed:.1f} s in all: {summary}); all output: {FULL_LOG}")
        return 1
    log(f"all stages passed in {elapsed:.1f} s ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
