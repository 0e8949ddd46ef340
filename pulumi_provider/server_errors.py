"""Errors as a user reads them in ``pulumi up``, not as Python tracebacks.

The SDK's dynamic provider server (``python -m pulumi.dynamic``, the process the engine starts) answers any exception
from a provider with ``traceback.format_exc()``, and the engine shows that whole traceback as the resource's error.
This product's errors are written for the user (what failed, what to do), so inside that server, and only for
them, the text becomes the message alone; any other exception (a bug) keeps its traceback.

The server runs as ``__main__`` and looks ``traceback`` up in its globals on each error, so the hook is a stand-in
for that one name, installed when the providers are first unpickled there. With a server that works otherwise
(another SDK version), nothing is changed and the tracebacks stay.
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType
from typing import Any

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError

_SERVER_MODULE = "pulumi.dynamic.__main__"


class _MessagesForOurErrors:
    """``traceback`` for the server: ``format_exc()`` is the message of this product's error being handled."""

    def __init__(self, original: ModuleType) -> None:
        self._original = original

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, CloudflareListsError):
            return str(error)
        return str(self._original.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def install_in_provider_server() -> bool:
    """Install the stand-in when this process is the dynamic provider server; True when it is in place."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is None or getattr(spec, "name", None) != _SERVER_MODULE:
        return False
    current = getattr(server, "traceback", None)
    if isinstance(current, _MessagesForOurErrors):
        return True
    if current is not traceback or not hasattr(server, "_abort_with_traceback"):
        return False  # not the server this was written for: leave it alone
    server.traceback = _MessagesForOurErrors(traceback)  # type: ignore[attr-defined]
    return True
