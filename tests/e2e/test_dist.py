"""What `make dist` builds, checked as a user gets it: the wheel alone, and the collection tarball alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Path]]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    (tarball,) = out.glob("*.tar.gz")
    yield {"wheel": wheel, "tarball": tarball, "dir": out}


def tracked(prefix: str, suffix: str) -> set[str]:
    listing = subprocess.run(["git", "ls-files", prefix], cwd=REPO, capture_output=True, text=True, check=True)
    return {name for name in listing.stdout.splitlines() if name.endswith(suffix)}


def test_the_wheel_holds_every_module_and_the_collection(dist: Dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    for package in ("edgeops_cloudflare_lists", "pulumi_provider"):
        assert tracked(package, ".py") <= names
    collection = "ansible_collections/edgeops/cloudflare_lists/"
    assert {collection + name for name in tracked("plugins", ".py")} <= names
    for name in ("galaxy.yml", "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt"):
        assert collection + name in names
    entry_points = zipfile.ZipFile(dist["wheel"]).read("edgeops_cloudflare_lists-0.1.0.dist-info/entry_points.txt")
    assert b"cloudflare-lists = edgeops_cloudflare_lists.cli:main" in entry_points
    assert b"pulumi-resource-cloudflare-lists = pulumi_provider.native.server:main" in entry_points


def test_the_wheel_alone_runs_the_command_and_imports_the_core(dist: Dict[str, Path], tmp_path: Path) -> None:
    zipfile.ZipFile(dist["wheel"]).extractall(tmp_path / "wheel")
    # -S: no site-packages processing, so the development checkout's editable install is not on the path; the
    # dependencies (requests, urllib3, werkzeug) come from site-packages, added by hand, and everything else from
    # the wheel.
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from edgeops_cloudflare_lists import cli;"
        "import ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client as client;"
        "assert cli.__file__.startswith(sys.argv[1]) and client.__file__.startswith(sys.argv[1]), cli.__file__;"
        "sys.exit(cli.main(['--version']))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(tmp_path / "wheel"), sysconfig.get_paths()["purelib"]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cloudflare-lists 0.1.0"


def test_the_collection_tarball_installs_and_documents_its_module(dist: Dict[str, Path], tmp_path: Path) -> None:
    members = set(tarfile.open(dist["tarball"]).getnames())
    assert {"meta/execution-environment.yml", "requirements.txt", "meta/runtime.yml"} <= members
    assert "plugins/modules/bulk_operation_info.py" in members
    assert not {"pyproject.toml", "Makefile", "edgeops_cloudflare_lists", "pulumi_provider", "docs", "tools"} & members

    collections = tmp_path / "collections"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "install", str(dist["tarball"]), "-p", str(collections)],
        check=True,
        capture_output=True,
        env=env,
    )
    doc = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", "edgeops.cloudflare_lists.bulk_operation_info"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert doc.returncode == 0, doc.stderr
    module = json.loads(doc.stdout)["edgeops.cloudflare_lists.bulk_operation_info"]
    assert str(collections) in module["doc"]["filename"]
    requirements = (collections / "ansible_collections/edgeops/cloudflare_lists/requirements.txt").read_text()
    assert "requests" in requirements
