"""A tiny HTTP server on 127.0.0.1 that answers the bulk-operation route from a script.

Unlike the emulator, it can send anything at all (HTML pages, truncated JSON, redirects), so
the command's handling of each malformed answer is tested over a real socket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def envelope(result: object, *, success: bool = True, errors: list[dict[str, object]] | None = None) -> Response:
    body = {"success": success, "errors": errors or [], "messages": [], "result": result}
    return Response(json.dumps(body), status=200, content_type="application/json")


def operation(status: str, **extra: object) -> Response:
    return envelope({"id": OPERATION_ID, "status": status, **extra})


@dataclass
class ScriptedApi:
    """Answers each request with the next scripted response; the last one repeats."""

    script: list[Response]
    requests: list[Request] = field(default_factory=list)
    base_url: str = ""

    def __call__(self, environ: dict[str, object], start_response: object) -> object:
        request = Request(environ)  # type: ignore[arg-type]
        self.requests.append(request)
        response = self.script[min(len(self.requests), len(self.script)) - 1]
        return response(environ, start_response)  # type: ignore[arg-type]


@contextmanager
def scripted_api(*script: Response) -> Iterator[ScriptedApi]:
    api = ScriptedApi(list(script))
    server = make_server("127.0.0.1", 0, api, threaded=True)
    api.base_url = f"http://127.0.0.1:{server.server_port}/client/v4"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        thread.join(5)
