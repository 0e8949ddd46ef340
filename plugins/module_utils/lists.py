# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lists and their items over the API: find, create, update, delete, read every item, write one operation.

Each function validates its input before any request and speaks only in the core's facts and items.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts, normalize_timestamp
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ListItem,
    PlannedWrite,
    item_from_api,
    validate_kind,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    describe_value,
    validate_account_id,
    validate_operation_id,
)

MAX_NAME_LENGTH = 50
MAX_DESCRIPTION_LENGTH = 500
_LIST_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_LIST_ID = re.compile(r"^[0-9a-f]{32}$")


def validate_list_name(value: Any) -> str:
    if not isinstance(value, str) or not _LIST_NAME.fullmatch(value):
        raise ValidationError(
            "name",
            f"expected a list name of letters, digits and '_', at most {MAX_NAME_LENGTH} characters, "
            f"got {describe_value(value)}.",
        )
    return value


def validate_list_id(value: Any) -> str:
    if not isinstance(value, str) or not _LIST_ID.fullmatch(value.lower()):
        raise ValidationError(
            "list_id", f"expected the 32 hexadecimal characters of a list ID, got {describe_value(value)}."
        )
    return value.lower()


def validate_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            "description",
            f"expected a string of at most {MAX_DESCRIPTION_LENGTH} characters, got {describe_value(value)}.",
        )
    return value


def looks_like_list_id(value: str) -> bool:
    return bool(_LIST_ID.fullmatch(value.lower()))


def _lists_path(account_id: str, *rest: str) -> List[str]:
    return ["accounts", account_id, "rules", "lists", *rest]


def list_from_api(raw: Any, *, what: str) -> ListFacts:
    """A list object as the API returns it, checked and normalized."""
    if not isinstance(raw, dict):
        raise MalformedResponseError(f"{what}: a list is not an object but {type(raw).__name__}.")
    try:
        list_id, name, kind = raw["id"], raw["name"], raw["kind"]
        if not all(isinstance(value, str) for value in (list_id, name, kind)):
            raise KeyError("id")
        return ListFacts(
            id=list_id,
            name=name,
            kind=kind,
            description=_text(raw.get("description")),
            num_items=_count(raw.get("num_items")),
            num_referencing_filters=_count(raw.get("num_referencing_filters")),
            created_on=_timestamp(raw.get("created_on")),
            modified_on=_timestamp(raw.get("modified_on")),
        )
    except KeyError:
        raise MalformedResponseError(
            f"{what}: a list lacks a string id, name or kind: {describe_value(raw)}."
        ) from None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _count(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _timestamp(value: Any) -> Optional[str]:
    return normalize_timestamp(value) if isinstance(value, str) else None


def list_lists(client: CloudflareClient, account_id: str, *, deadline: Optional[float] = None) -> List[ListFacts]:
    """Every list of the account."""
    account_id = validate_account_id(account_id)
    what = f"GET lists of account {account_id}"
    result = client.get_result(_lists_path(account_id), what=what, deadline=deadline)
    if not isinstance(result, list):
        raise MalformedResponseError(f"{what}: the result is not a list but {type(result).__name__}.")
    return [list_from_api(raw, what=what) for raw in result]


def get_list(client: CloudflareClient, account_id: str, list_id: str, *, deadline: Optional[float] = None) -> ListFacts:
    account_id, list_id = validate_account_id(account_id), validate_list_id(list_id)
    what = f"GET list {list_id}"
    return list_from_api(client.get_result(_lists_path(account_id, list_id), what=what, deadline=deadline), what=what)


def find_list(
    client: CloudflareClient, account_id: str, name: str, *, deadline: Optional[float] = None
) -> Optional[ListFacts]:
    """The account's list called ``name``, or None. Two lists of that name are a ``ConflictError``."""
    name = validate_list_name(name)
    found = [facts for facts in list_lists(client, account_id, deadline=deadline) if facts.name == name]
    if len(found) > 1:
        raise ConflictError(
            f"Account {account_id} has {len(found)} lists named {name!r} ({', '.join(f.id for f in found)}); "
            "refer to the list by its id, or rename or delete the others."
        )
    return found[0] if found else None


def resolve_list(
    client: CloudflareClient, account_id: str, reference: str, *, deadline: Optional[float] = None
) -> ListFacts:
    """A list by id or by name; a 32-hex reference is tried as an id first, then as a name."""
    if not isinstance(reference, str) or not reference:
        raise ValidationError("list", f"expected a list id or name, got {describe_value(reference)}.")
    if looks_like_list_id(reference):
        try:
            return get_list(client, account_id, reference, deadline=deadline)
        except NotFoundError:
            pass
    facts = find_list(client, account_id, reference, deadline=deadline) if _LIST_NAME.fullmatch(reference) else None
    if facts is None:
        raise NotFoundError(
            f"Account {account_id} has no list with the id or name {reference!r}.",
            hint="Check the id or name, and the account; a list is made only by a call that gives its kind.",
        )
    return facts


def create_list(
    client: CloudflareClient,
    account_id: str,
    name: str,
    kind: str,
    description: Optional[str] = None,
    *,
    deadline: Optional[float] = None,
) -> ListFacts:
    account_id, name, kind = validate_account_id(account_id), validate_list_name(name), validate_kind(kind)
    body: Dict[str, Any] = {"name": name, "kind": kind}
    if description:
        body["description"] = validate_description(description)
    what = f"POST list {name!r}"
    envelope = client.request("POST", _lists_path(account_id), what=what, json=body, deadline=deadline)
    return list_from_api(envelope.result, what=what)


def update_description(
    client: CloudflareClient, account_id: str, list_id: str, description: str, *, deadline: Optional[float] = None
) -> ListFacts:
    account_id, list_id = validate_account_id(account_id), validate_list_id(list_id)
    what = f"PUT list {list_id}"
    body = {"description": validate_description(description)}
    envelope = client.request("PUT", _lists_path(account_id, list_id), what=what, json=body, deadline=deadline)
    return list_from_api(envelope.result, what=what)


def delete_list(
    client: CloudflareClient, account_id: str, facts: ListFacts, *, deadline: Optional[float] = None
) -> None:
    """Delete a list. A list that rules still use is a ``ConflictError`` that says so, and nothing is sent."""
    account_id = validate_account_id(account_id)
    refuse_if_in_use(facts)
    client.request("DELETE", _lists_path(account_id, facts.id), what=f"DELETE list {facts.id}", deadline=deadline)


def refuse_if_in_use(facts: ListFacts) -> None:
    """Cloudflare deletes only lists that no rule uses: say so before trying (check mode calls it too)."""
    if facts.num_referencing_filters:
        raise ConflictError(
            f"List {facts.name!r} ({facts.id}) is used by {facts.num_referencing_filters} rule"
            f"{'' if facts.num_referencing_filters == 1 else 's'}; Cloudflare deletes only lists no rule uses. "
            "Remove it from those rules' expressions first."
        )


def read_items(
    client: CloudflareClient, account_id: str, facts: ListFacts, *, deadline: Optional[float] = None
) -> List[ListItem]:
    """Every item of the list, canonical, read 500 per page, no more than the list says it holds (and a margin)."""
    what = f"GET items of list {facts.name!r}"
    account_id = validate_account_id(account_id)
    path = _lists_path(account_id, facts.id, "items")
    pages = client.paginate(
        path,
        what=what,
        deadline=deadline,
        expected=facts.num_items,
        recount=lambda: get_list(client, account_id, facts.id, deadline=deadline).num_items,
    )
    return [item_from_api(facts.kind, raw, what=what) for raw in pages]


def search_items(
    client: CloudflareClient, account_id: str, facts: ListFacts, text: str, *, deadline: Optional[float] = None
) -> List[ListItem]:
    """The list's items that match ``text`` by Cloudflare's ``search`` (a prefix of an IP, part of a hostname or
    redirect URL, an exact ASN), canonical; the caller picks the ones it wants by key."""
    what = f"GET items of list {facts.name!r} matching {text!r}"
    path = _lists_path(validate_account_id(account_id), facts.id, "items")
    pages = client.paginate(path, what=what, params={"search": text}, deadline=deadline)
    return [item_from_api(facts.kind, raw, what=what) for raw in pages]


def send_write(
    client: CloudflareClient, account_id: str, facts: ListFacts, write: PlannedWrite, *, deadline: float
) -> str:
    """Send one of a plan's writes (``ItemsPlan.writes``) to the list's items; return its ``operation_id``."""
    account_id = validate_account_id(account_id)
    path = _lists_path(account_id, facts.id, "items")
    what = f"{write.method} items of list {facts.name!r}"
    envelope = client.request(write.method, path, what=what, json=write.body, deadline=deadline)
    operation_id = envelope.result.get("operation_id") if isinstance(envelope.result, dict) else None
    try:
        return validate_operation_id(operation_id)
    except ValidationError:
        raise MalformedResponseError(
            f"{what}: the answer has no valid operation_id: {describe_value(envelope.result)}.",
            hint="The write may have been applied; run again, which re-reads the list and writes only what remains.",
        ) from None
