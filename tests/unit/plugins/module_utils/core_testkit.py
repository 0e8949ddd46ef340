"""Constants and builders shared by the core's unit tests (imported by name, like a conftest helper)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
OPERATION_ID = "4da8780eeb215e6cb7f48dd981c4ea02"
BASE_URL = "https://api.cloudflare.com/client/v4"
OPERATION_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{OPERATION_ID}"
TOKEN = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY"
API_KEY = "144c9defac04969c7bfad8efaa8ea194"
EMAIL = "user@example.com"
WHAT = f"GET bulk operation {OPERATION_ID}"


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
