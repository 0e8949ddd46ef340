# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option specs shared by the Ansible modules, as plain data.

Each option is named as ``parameters.py`` names the core's parameter for Ansible. ``plugins/doc_fragments/``
documents exactly these options (a unit test compares them). Environment fallbacks are resolved by the core
(``auth.py``), the same way for every adapter.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import ansible_option as _option
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)

CONNECTION_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    _option("api_token"): {"type": "str", "no_log": True},
    _option("account_email"): {"type": "str"},
    _option("account_api_key"): {"type": "str", "no_log": True},
    _option("base_url"): {"type": "str"},
    _option("validate_certs"): {"type": "bool", "default": True},
    _option("request_timeout"): {"type": "float", "default": DEFAULT_TIMEOUT},
}

WAIT_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    _option("wait"): {"type": "bool", "default": False},
    _option("wait_timeout"): {"type": "float", "default": DEFAULT_WAIT_TIMEOUT},
    _option("wait_max_interval"): {"type": "float", "default": DEFAULT_MAX_INTERVAL},
}

CONNECTION_MUTUALLY_EXCLUSIVE: List[Tuple[str, ...]] = [
    (_option("api_token"), _option("account_email")),
    (_option("api_token"), _option("account_api_key")),
]
CONNECTION_REQUIRED_TOGETHER: List[Tuple[str, ...]] = [(_option("account_email"), _option("account_api_key"))]

BULK_OPERATION_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    _option("account_id"): {"type": "str"},
    _option("operation_id"): {"type": "str"},
    # Ids, objects with operation_id, or writes' bulk_operation results: the core reads each (batch.operation_refs).
    "operations": {"type": "list", "elements": "raw"},
}
# One operation, or several; account_id stays allowed with operations, as their default (module_defaults sets it).
BULK_OPERATION_MUTUALLY_EXCLUSIVE: List[Tuple[str, ...]] = [(_option("operation_id"), "operations")]
BULK_OPERATION_REQUIRED_ONE_OF: List[Tuple[str, ...]] = [(_option("operation_id"), "operations")]

ACCOUNT_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    # Falls back to CLOUDFLARE_ACCOUNT_ID in the core (auth.resolve_account_id).
    _option("account_id"): {"type": "str"},
}

# The wait options of modules that write: they wait for their own bulk operation unless told not to.
WRITE_WAIT_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    _option("wait"): {"type": "bool", "default": True},
    _option("wait_timeout"): {"type": "float", "default": DEFAULT_WAIT_TIMEOUT},
    _option("wait_max_interval"): {"type": "float", "default": DEFAULT_MAX_INTERVAL},
}

# The items of a list, as rules_list and rules_list_items take them (each parsed by the core's items.parse_items).
ITEMS_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    _option("items"): {"type": "list", "elements": "raw"},
    _option("max_removals"): {"type": "str"},
}
