"""The process entry point's signal handlers: SIGINT and SIGTERM raise ``Interrupt`` once, then have their default
action back (a second one ends the process); the handlers found are restored after."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any, Dict

import pytest

from edgeops_cloudflare_lists.cli.signals import Interrupt, exit_code, interrupts_raised


def handlers() -> Dict[int, Any]:
    return {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_the_first_signal_raises_once_then_both_have_their_default_action(signum: int, code: int) -> None:
    before = handlers()
    with interrupts_raised():
        with pytest.raises(Interrupt) as raised:
            os.kill(os.getpid(), signum)
        assert raised.value.signal_name == signal.Signals(signum).name
        assert exit_code(raised.value) == code
        assert set(handlers().values()) == {signal.SIG_DFL}
    assert handlers() == before


def test_the_handlers_are_restored_when_no_signal_came() -> None:
    before = handlers()
    with interrupts_raised():
        assert all(handler != before[signum] for signum, handler in handlers().items())
    assert handlers() == before


def test_outside_the_main_thread_nothing_changes() -> None:
    before = handlers()
    seen: Dict[str, Any] = {}

    def inside() -> None:
        with interrupts_raised():
            seen.update(handlers())

    thread = threading.Thread(target=inside)
    thread.start()
    thread.join()
    assert seen == before == handlers()


def test_python_s_own_ctrl_c_counts_as_sigint() -> None:
    assert exit_code(KeyboardInterrupt()) == 130
