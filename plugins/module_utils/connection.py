# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening a client: explicit settings, with the ``CLOUDFLARE_*`` environment as fallback, the same for every
adapter."""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Mapping, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import (
    resolve_base_url,
    resolve_credentials,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT, CloudflareClient


def open_client(
    api_token: Optional[str] = None,
    account_email: Optional[str] = None,
    account_api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    validate_certs: bool = True,
    environ: Optional[Mapping[str, str]] = None,
    session: Optional[Any] = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Optional[random.Random] = None,
) -> CloudflareClient:
    """A client from explicit settings, with ``CLOUDFLARE_*`` environment fallbacks."""
    return CloudflareClient(
        resolve_credentials(api_token, account_email, account_api_key, environ),
        resolve_base_url(base_url, environ),
        timeout=timeout,
        validate_certs=validate_certs,
        session=session,
        clock=clock,
        sleep=sleep,
        rng=rng,
    )
