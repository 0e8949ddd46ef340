"""Cloudflare's answers, built for tests: the v4 envelope, and a bulk operation's ``result``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID


def envelope(
    result: Any = None,
    *,
    success: Any = True,
    errors: Optional[List[Dict[str, Any]]] = None,
) -> Dict[str, Any]:
    """A Cloudflare v4 envelope."""
    return {"success": success, "errors": errors or [], "messages": [], "result": result}


def envelope_bytes(result: Any = None, **kwargs: Any) -> bytes:
    return json.dumps(envelope(result, **kwargs)).encode()


def operation(status: str, operation_id: str = OPERATION_ID, **extra: Any) -> Dict[str, Any]:
    """A bulk-operation ``result``."""
    return {"id": operation_id, "status": status, **extra}


def operation_bytes(status: str, **extra: Any) -> bytes:
    return envelope_bytes(operation(status, **extra))
