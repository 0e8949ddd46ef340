"""What a command is run with: the parsed flags, the resolved positionals, the streams and the progress line."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import SavedPlan
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy

from .progress import ProgressLine


@dataclass
class Invocation:
    args: argparse.Namespace
    positionals: Dict[str, str]
    stdout: TextIO
    stderr: Optional[TextIO]
    progress: Optional[ProgressLine] = None
    items: Optional[List[Any]] = None  # sync's --file, read before any request
    saved_plan: Optional[SavedPlan] = None  # apply's PLANFILE, read before any request

    @property
    def account_id(self) -> str:
        return self.positionals["account_id"]

    def wait_policy(self) -> WaitPolicy:
        max_interval = getattr(self.args, "max_interval", None)
        if max_interval is None:  # a command that writes no items waits on no operation
            return WaitPolicy(timeout=self.args.timeout)
        return WaitPolicy(timeout=self.args.timeout, max_interval=max_interval)

    def close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
