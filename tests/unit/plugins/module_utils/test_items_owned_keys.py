"""A non-authoritative owner of some items: ``present`` with ``owned_keys`` removes its own dropped items, and a
plan that both upserts and removes posts first, then deletes by id, leaving every other item alone."""

from __future__ import annotations

import json
import random

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import ListFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    ListItem,
    parse_items,
    plan,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import send_write
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import apply_items
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope, operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import (
    ACCOUNT_ID,
    BASE_URL,
    LIST_ID,
    OPERATION_ID,
    TOKEN,
)

ITEMS_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/{LIST_ID}/items"
OPERATION_URL = f"{BASE_URL}/accounts/{ACCOUNT_ID}/rules/lists/bulk_operations/{OPERATION_ID}"
FACTS = ListFacts(LIST_ID, "blocklist", "ip", "", 3, 0, None, None)


def read(*raws: object) -> list:
    """Items as the list holds them, with ids."""
    items = parse_items("ip", raws)
    return [
        ListItem(kind=i.kind, key=i.key, value=i.value, comment=i.comment, id=f"{n:032x}") for n, i in enumerate(items)
    ]


def keys(items: object) -> list:
    return [item.key for item in items]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------ plan
def test_present_with_owned_keys_removes_only_the_owned_items_no_longer_desired() -> None:
    current = read("10.0.0.1", "10.0.0.2", {"ip": "10.0.0.9", "comment": "someone else's"})
    desired = parse_items("ip", ["10.0.0.2", "10.0.0.3"])
    items_plan = plan(current, desired, "present", owned_keys=["10.0.0.1", "10.0.0.2"])
    assert (keys(items_plan.add), keys(items_plan.update), keys(items_plan.remove)) == (["10.0.0.3"], [], ["10.0.0.1"])
    assert keys(items_plan.after) == ["10.0.0.2", "10.0.0.3", "10.0.0.9"]
    assert items_plan.after[2].comment == "someone else's"


def test_present_with_owned_keys_leaves_an_owned_key_alone_once_someone_removed_it() -> None:
    items_plan = plan(read("10.0.0.2"), parse_items("ip", ["10.0.0.2"]), "present", owned_keys=["10.0.0.1"])
    assert not items_plan.changed


def test_present_without_owned_keys_still_never_removes() -> None:
    items_plan = plan(read("10.0.0.1"), parse_items("ip", ["10.0.0.2"]), "present")
    assert items_plan.remove == ()


@pytest.mark.parametrize("mode", ["exact", "absent"])
def test_owned_keys_outside_present_mode_are_refused(mode: str) -> None:
    with pytest.raises(ValidationError, match="owned_keys"):
        plan((), (), mode, owned_keys=[])


# ------------------------------------------------------------------------------------------------ write_items
@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def client(clock):
    with CloudflareClient(Credentials(api_token=TOKEN), clock=clock, rng=random.Random(0)) as c:
        yield c


def sent(api: responses.RequestsMock, index: int = -1) -> object:
    return json.loads(api.calls[index].request.body)


def test_a_plan_that_upserts_and_removes_posts_first_then_deletes_and_leaves_the_others_alone(api, client) -> None:
    current = read({"ip": "10.0.0.1", "comment": "old"}, "10.0.0.2", {"ip": "10.0.0.9", "comment": "theirs"})
    desired = parse_items("ip", [{"ip": "10.0.0.1", "comment": "new"}, "10.0.0.3"])
    items_plan = plan(current, desired, "present", owned_keys=["10.0.0.1", "10.0.0.2"])
    assert [write.method for write in items_plan.writes] == ["POST", "DELETE"]
    post, delete = items_plan.writes
    api.post(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    assert send_write(client, ACCOUNT_ID, FACTS, post, deadline=client.clock() + 60) == OPERATION_ID
    assert sent(api) == [{"ip": "10.0.0.3"}, {"ip": "10.0.0.1", "comment": "new"}]
    api.delete(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    send_write(client, ACCOUNT_ID, FACTS, delete, deadline=client.clock() + 60)
    assert sent(api) == {"items": [{"id": current[1].id}]}


def test_a_present_plan_that_only_removes_owned_items_is_one_delete_of_their_ids(api, client) -> None:
    current = read("10.0.0.1", "10.0.0.2")
    items_plan = plan(current, parse_items("ip", ["10.0.0.2"]), "present", owned_keys=["10.0.0.1", "10.0.0.2"])
    (write,) = items_plan.writes
    api.delete(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    send_write(client, ACCOUNT_ID, FACTS, write, deadline=client.clock() + 60)
    assert sent(api) == {"items": [{"id": current[0].id}]}


def test_a_present_plan_that_only_adds_is_still_one_post_of_the_additions(api, client) -> None:
    items_plan = plan(read("10.0.0.1"), parse_items("ip", ["10.0.0.2"]), "present", owned_keys=["10.0.0.2"])
    (write,) = items_plan.writes
    api.post(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    send_write(client, ACCOUNT_ID, FACTS, write, deadline=client.clock() + 60)
    assert sent(api) == [{"ip": "10.0.0.2"}]


def api_items(*raws: dict) -> list:
    return [{"id": f"{n:032x}", **raw} for n, raw in enumerate(raws)]


def test_apply_items_with_owned_keys_posts_deletes_and_verifies_the_changed_items(api, client) -> None:
    before = api_items({"ip": "10.0.0.1"}, {"ip": "10.0.0.9", "comment": "theirs"})
    api.get(ITEMS_URL, json={**envelope(before), "result_info": {"cursors": {}}})
    api.post(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    api.get(OPERATION_URL, json=envelope(operation("completed", completed="2024-05-01T10:00:00Z")))
    api.delete(ITEMS_URL, json=envelope({"operation_id": OPERATION_ID}))
    api.get(OPERATION_URL, json=envelope(operation("completed", completed="2024-05-01T10:00:00Z")))
    list_url = ITEMS_URL.rsplit("/", 1)[0]
    api.get(list_url, json=envelope({"id": LIST_ID, "name": "blocklist", "kind": "ip", "num_items": 2}))
    # A list of one page is read back whole (fewer requests than looking up each changed item).
    after = api_items({"ip": "10.0.0.3"}, {"ip": "10.0.0.9", "comment": "theirs"})
    api.get(ITEMS_URL, json={**envelope(after), "result_info": {"cursors": {}}})
    outcome = apply_items(
        client, ACCOUNT_ID, FACTS, parse_items("ip", ["10.0.0.3"]), "present", owned_keys=["10.0.0.1"]
    )
    assert outcome.changed and outcome.verified and outcome.operation is not None
    assert (keys(outcome.plan.add), keys(outcome.plan.remove)) == (["10.0.0.3"], ["10.0.0.1"])
    assert [call.request.method for call in api.calls] == ["GET", "POST", "GET", "DELETE", "GET", "GET", "GET"]
    assert keys(outcome.items) == ["10.0.0.3", "10.0.0.9"]
    assert [(write.method, write.items) for write in outcome.writes] == [("POST", 1), ("DELETE", 1)]
