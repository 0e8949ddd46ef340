"""The ``cloudflare-lists`` command: a thin layer over the core.

Facts go to stdout as JSON; progress and the one-line error go to stderr. Credentials come only
from the environment, so they never show in a process list or shell history.

``parser`` reads the command line, ``app`` runs it, ``output`` and ``progress`` write; ``operations``
(``status``, ``wait``), ``lists`` (``lists``, ``items``) and ``sync`` are the commands.
"""

from .app import main, run
from .output import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OPERATION_FAILED,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_TIMEOUT,
    EXIT_USAGE,
)

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OPERATION_FAILED",
    "EXIT_OUTPUT",
    "EXIT_TERMINATED",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "main",
    "run",
]
