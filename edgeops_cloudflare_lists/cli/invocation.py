"""What a command is run with: the parsed flags, the resolved positionals, the streams and the progress line."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import PartialOutcome
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.saved_plans import SavedPlan
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy, WaitProgress

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
    #: The last check of the operation waited on, kept for a run that a signal ends meanwhile.
    last_check: Optional[WaitProgress] = None
    #: What a sync has done so far (the list found or created, the plan, the writes sent), kept for the same.
    partial: Optional[PartialOutcome] = None

    @property
    def account_id(self) -> str:
        return self.positionals["account_id"]

    def wait_policy(self) -> WaitPolicy:
        max_interval = getattr(self.args, "max_interval", None)
        if max_interval is None:  # a command that writes no items waits on no operation
            return WaitPolicy(timeout=self.args.timeout)
        return WaitPolicy(timeout=self.args.timeout, max_interval=max_interval)

    def on_progress(self, progress: WaitProgress) -> None:
        """After each check of a wait: kept, and shown on the progress line if there is one."""
        self.last_check = progress
        if self.progress is not None:
            self.progress(progress)

    def on_step(self, partial: PartialOutcome) -> None:
        """Each time a sync has done more: kept."""
        self.partial = partial

    def progress_ends_line(self) -> bool:
        """Whether closing the progress ends a line the cursor is on (a line rewritten in place on a terminal)."""
        return self.progress is not None and self.progress.shown and self.progress.in_place

    def close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
