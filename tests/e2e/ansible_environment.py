"""The environment an e2e test runs ansible-playbook in: the project's venv first on PATH, no Ansible or Cloudflare
settings of the caller's, the credentials and endpoint of one emulator, and an empty collections path (the
collection is found through the editable install on sys.path, and nowhere else)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict

from edgeops_cloudflare_lists.emulator import Emulator


def playbook_environment(
    emulator: Emulator, token: str, account_id: str, tmp_path: Path, **extra: str
) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLOUDFLARE_", "ANSIBLE_"))}
    empty_collections = tmp_path / "collections"
    empty_collections.mkdir(exist_ok=True)
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        CLOUDFLARE_BASE_URL=emulator.base_url,
        CLOUDFLARE_API_TOKEN=token,
        CLOUDFLARE_ACCOUNT_ID=account_id,
        ANSIBLE_COLLECTIONS_PATH=str(empty_collections),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
    )
    env.update(extra)
    return env
