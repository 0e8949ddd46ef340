"""Configuration of the Lists API emulator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

#: Every fault the emulator can inject, in the order the CLI documents them.
FAULT_KINDS: Tuple[str, ...] = ("html_502", "html_503", "rate_limited", "slow", "drop")

DEFAULT_ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
DEFAULT_TOKEN = "emulator-token"  # noqa: S105 - a well-known local test credential, documented in --help
DEFAULT_EMAIL = "user@example.com"
DEFAULT_API_KEY = "emulator-key"

ACCOUNT_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


#: How the emulator answers an invalid item: by failing the bulk operation (the service's documented behaviour),
#: or with a 400 to the write itself. Which one Cloudflare does for every kind of invalid item is not published,
#: so a client should handle both; this lets its tests try each.
ITEM_ERROR_MODES: Tuple[str, ...] = ("operation", "request")


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator listens, authenticates, paces operations and misbehaves.

    Credentials: with none of ``token``, ``email`` and ``api_key`` given, the well-known test credentials
    (``DEFAULT_TOKEN``, and ``DEFAULT_EMAIL`` with ``DEFAULT_API_KEY``) all work. Giving any of them configures
    the schemes given and disables the other: ``EmulatorConfig(token="t")`` accepts only ``Bearer t``, never the
    well-known legacy pair. ``email`` and ``api_key`` go together. (The defaults are filled in at construction, so
    ``dataclasses.replace(config, token="t")`` of a default config keeps the well-known pair: pass ``email=None,
    api_key=None`` too.)
    """

    host: str = "127.0.0.1"
    port: int = 0
    token: Optional[str] = None
    email: Optional[str] = None
    api_key: Optional[str] = None
    #: Shown in docs and examples; any well-formed 32-hex account id is accepted and gets its own lists.
    account_id: str = DEFAULT_ACCOUNT_ID
    #: Seconds an accepted bulk operation reports "pending", then "running" before it finishes.
    pending_seconds: float = 0.3
    running_seconds: float = 0.5
    #: Items across all lists of one account (Cloudflare: 10,000; 500,000 on Enterprise). An operation that would
    #: take the account past it fails with "This list is at the maximum number of items".
    max_items_per_account: int = 10_000
    #: "operation" (invalid items fail the bulk operation) or "request" (the write gets a 400 at once).
    item_errors: str = "operation"
    #: Larger request bodies get 413 without being read.
    max_body_bytes: int = 16 * 1024 * 1024
    #: A connection that sends nothing for this long is closed (idle keep-alive, or a client that stalls).
    socket_timeout_seconds: float = 60.0
    #: At most ``rate_limit`` requests per credential in any sliding ``rate_window_seconds``.
    rate_limit: int = 1200
    rate_window_seconds: float = 300.0
    #: Fraction (0..1) of all requests answered by a fault drawn from ``fault_kinds``. The fault is decided before
    #: the request reaches the API, so a faulted write never applies and retrying it is safe; a "slow" fault only
    #: delays the request, which then applies normally.
    fault_rate: float = 0.0
    fault_kinds: Tuple[str, ...] = FAULT_KINDS
    slow_seconds: float = 2.0
    seed: Optional[int] = None
    #: Seconds a finished bulk operation stays readable; afterwards its status is 404, as on the service.
    operation_ttl_seconds: float = 3600.0
    #: What a redirect written without ``preserve_path_suffix`` gets. Cloudflare's "URL redirect parameters" page
    #: says true; its 2024 OpenAPI schema says false. The other optional fields have one documented default.
    preserve_path_suffix_default: bool = True
    #: Cloudflare's write quotas per account, over any ``write_quota_window_seconds`` (12 hours): list item changes
    #: (a ``PUT`` counts every item it removes and every item it adds) and item-writing requests. A write past
    #: either is refused with 429 (see ``errors.LISTS_WRITE_QUOTA_EXCEEDED``).
    write_quota_item_changes: int = 1_000_000
    write_quota_requests: int = 30_000
    write_quota_window_seconds: float = 12 * 3600.0

    def __post_init__(self) -> None:
        # Normalise a list or set passed by callers so the dataclass stays hashable and comparable.
        object.__setattr__(self, "fault_kinds", tuple(self.fault_kinds))
        if self.token is None and self.email is None and self.api_key is None:
            object.__setattr__(self, "token", DEFAULT_TOKEN)
            object.__setattr__(self, "email", DEFAULT_EMAIL)
            object.__setattr__(self, "api_key", DEFAULT_API_KEY)
        problems = []
        if not 0 <= self.port <= 65535:
            problems.append(f"port must be 0..65535, got {self.port}")
        if (self.email is None) != (self.api_key is None):
            problems.append("email and api_key go together")
        for name in ("token", "email", "api_key"):
            value = getattr(self, name)
            if value is not None and (not value or not value.isprintable() or not value.isascii() or " " in value):
                problems.append(f"{name} must be non-empty printable ASCII without spaces")
        if not ACCOUNT_ID_PATTERN.match(self.account_id):
            problems.append("account_id must be 32 lowercase hex characters")
        for name in ("pending_seconds", "running_seconds", "slow_seconds", "operation_ttl_seconds"):
            if not getattr(self, name) >= 0:
                problems.append(f"{name} must be >= 0")
        if not self.socket_timeout_seconds > 0:
            problems.append("socket_timeout_seconds must be > 0")
        if self.max_items_per_account < 0:
            problems.append("max_items_per_account must be >= 0")
        if not isinstance(self.preserve_path_suffix_default, bool):
            problems.append("preserve_path_suffix_default must be true or false")
        if self.write_quota_item_changes < 0 or self.write_quota_requests < 0:
            problems.append("write_quota_item_changes and write_quota_requests must be >= 0")
        if not self.write_quota_window_seconds > 0:
            problems.append("write_quota_window_seconds must be > 0")
        if self.item_errors not in ITEM_ERROR_MODES:
            problems.append(f"item_errors must be one of {list(ITEM_ERROR_MODES)}, got {self.item_errors!r}")
        if self.max_body_bytes < 1:
            problems.append("max_body_bytes must be >= 1")
        if self.rate_limit < 1 or not self.rate_window_seconds > 0:
            problems.append("rate_limit must be >= 1 and rate_window_seconds > 0")
        if not 0.0 <= self.fault_rate <= 1.0:
            problems.append(f"fault_rate must be within 0..1, got {self.fault_rate}")
        unknown = sorted(set(self.fault_kinds) - set(FAULT_KINDS))
        if unknown:
            problems.append(f"unknown fault kinds {unknown}; choose from {list(FAULT_KINDS)}")
        if self.fault_rate > 0 and not self.fault_kinds:
            problems.append("fault_rate > 0 needs at least one fault kind")
        if problems:
            raise ValueError("invalid emulator configuration: " + "; ".join(problems))
