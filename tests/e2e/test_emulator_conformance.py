"""Every kind of response the emulator produces, validated against Cloudflare's OpenAPI reference.

The reference (tests/data/cloudflare-lists-openapi.json, see tests/data/README.md) is used verbatim on disk. It
cannot validate real responses as it stands, so :func:`reference_with_errata` applies six documented corrections
in memory, each one checked against the original text first so a newer reference makes this test fail loudly
rather than silently patch something else:

E1. ``lists_api-response-collection`` declares ``result`` an array, and every operation ``allOf``s it, so no
    object result (a list, an item, an operation, ``{operation_id}``) could ever validate. The generic part keeps
    only ``nullable``; each operation's own part still types ``result``.
E2. ``lists_item`` puts ``oneOf: [ip (a string), redirect, hostname, asn (an integer)]`` on the item object
    itself, which no item object satisfies. The evident intent, exactly one value field, replaces it: exactly
    one of ``ip`` and ``asn`` present, or of ``hostname`` and ``redirect`` non-empty (see E6).
E3. Every 4XX response is ``allOf`` the success envelope (``success: true``, non-null result) and the failure
    envelope (``success: false``, ``result: null``), which nothing satisfies. 4XX uses the failure envelope alone.
E4. The 2024 reference models a bulk operation as one object with optional ``completed`` and ``error``. The current
    SDK (cloudflare 5.9.0) has three exact shapes, which the emulator follows: pending/running ``{id, status}``,
    completed ``{id, status, completed}``, failed ``{id, status, completed, error}``. E4 swaps in those three.
E5. ``lists_messages`` says codes are >= 1000, but Cloudflare's throttling error is code 971. E5 also allows 971.
E6. The service reads ``ip`` items back with ``hostname: {}`` and ``redirect: {}`` (terraform-provider-cloudflare
    #7166), which ``lists_item_hostname`` (``url_hostname`` required) and ``lists_item_redirect`` (``source_url``
    and ``target_url`` required) refuse. A read item's ``hostname`` and ``redirect`` may also be ``{}``.

Every response after authentication also carries the IETF draft's ``Ratelimit`` and ``Ratelimit-Policy`` headers,
which the reference doesn't describe: their syntax is checked on every response that has them.

Responses outside the API (the edge's HTML 502/503 pages) are checked for status and content type instead.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import urlsplit

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_schema_validator import OAS30Validator

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.fake_clock import FakeClock

REFERENCE_PATH = Path(__file__).resolve().parents[1] / "data" / "cloudflare-lists-openapi.json"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "conformance-token"
FAILURE = "#/components/schemas/lists_api-response-common-failure"


def load_reference() -> Dict[str, Any]:
    reference: Dict[str, Any] = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    return reference


def _replace(container: Dict[str, Any], key: str, expected: Any, replacement: Any) -> None:
    assert container[key] == expected, f"the reference changed at {key!r}: revisit this erratum"
    container[key] = replacement


def reference_with_errata() -> Dict[str, Any]:
    spec = copy.deepcopy(load_reference())
    schemas = spec["components"]["schemas"]
    # E1
    generic = schemas["lists_api-response-collection"]["allOf"][1]["properties"]
    _replace(generic, "result", {"items": {}, "nullable": True, "type": "array"}, {"nullable": True})
    # E2
    value_refs = [
        {"$ref": f"#/components/schemas/lists_item_{field}"} for field in ("ip", "redirect", "hostname", "asn")
    ]
    exactly_one_value = [
        {"required": ["ip"]},
        {"required": ["redirect"], "properties": {"redirect": {"minProperties": 1}}},
        {"required": ["hostname"], "properties": {"hostname": {"minProperties": 1}}},
        {"required": ["asn"]},
    ]
    _replace(schemas["lists_item"], "oneOf", value_refs, exactly_one_value)
    # E3
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            content = operation["responses"]["4XX"]["content"]["application/json"]
            original = content["schema"]
            assert original["allOf"][1] == {"$ref": FAILURE}, "the reference changed its 4XX responses"
            _replace(content, "schema", original, {"$ref": FAILURE})
    # E4
    operation_id = {"$ref": "#/components/schemas/lists_operation_id"}
    timestamp = {"type": "string"}
    assert schemas["lists_operation"]["required"] == ["id", "status"], "the reference changed lists_operation"
    schemas["lists_operation"] = {
        "oneOf": [
            {
                "type": "object",
                "required": ["id", "status"],
                "additionalProperties": False,
                "properties": {"id": operation_id, "status": {"type": "string", "enum": ["pending", "running"]}},
            },
            {
                "type": "object",
                "required": ["id", "status", "completed"],
                "additionalProperties": False,
                "properties": {
                    "id": operation_id,
                    "status": {"type": "string", "enum": ["completed"]},
                    "completed": timestamp,
                },
            },
            {
                "type": "object",
                "required": ["id", "status", "completed", "error"],
                "additionalProperties": False,
                "properties": {
                    "id": operation_id,
                    "status": {"type": "string", "enum": ["failed"]},
                    "completed": timestamp,
                    "error": {"type": "string"},
                },
            },
        ]
    }
    # E5
    code = schemas["lists_messages"]["items"]["properties"]
    _replace(
        code,
        "code",
        {"minimum": 1000, "type": "integer"},
        {"type": "integer", "anyOf": [{"minimum": 1000}, {"enum": [971]}]},
    )
    # E6
    item_fields = schemas["lists_item"]["properties"]
    for name in ("hostname", "redirect"):
        own = {"$ref": f"#/components/schemas/lists_item_{name}"}
        _replace(item_fields, name, own, {"anyOf": [own, {"type": "object", "maxProperties": 0}]})
    # Relative, so one validator serves every emulator whatever its port.
    spec["servers"] = [{"url": "/client/v4"}]
    return spec


@functools.lru_cache(maxsize=1)
def reference_validator() -> Tuple[Dict[str, Any], OpenAPI]:
    """Built once: turning the document into a validator is the slow part."""
    spec = reference_with_errata()
    return spec, OpenAPI.from_dict(spec)


def operation_templates(spec: Dict[str, Any]) -> List[Tuple[str, re.Pattern[str], str]]:
    """(method, path regex, operationId), paths with more literal segments first so bulk_operations wins."""
    templates = []
    for path, path_item in spec["paths"].items():
        pattern = re.compile("^/client/v4" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method, operation in path_item.items():
            templates.append((method.upper(), pattern, operation["operationId"], path.count("{")))
    templates.sort(key=lambda entry: entry[3])
    return [(method, pattern, name) for method, pattern, name, _ in templates]


class Conformance:
    """Sends requests, validates each response against the reference, and records what was covered."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.spec, self.openapi = reference_validator()
        self.templates = operation_templates(self.spec)
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"
        self.anonymous = requests.Session()
        self.anonymous.trust_env = False
        self.succeeded: Set[str] = set()
        self.errors_seen: Set[Tuple[str, int, int]] = set()

    def url(self, path: str = "", account: str = ACCOUNT) -> str:
        return f"{self.emulator.base_url}/accounts/{account}/rules/lists{path}"

    def operation_id(self, response: requests.Response) -> Optional[str]:
        request = response.request
        path = urlsplit(str(request.url)).path
        for method, pattern, name in self.templates:
            if method == request.method and pattern.match(path):
                return name
        return None

    def call(self, method: str, path: str = "", *, status: int = 200, **kwargs: Any) -> Any:
        """One request; its response must have ``status`` and match the reference. Returns the JSON body."""
        account = kwargs.pop("account", ACCOUNT)
        session = kwargs.pop("session", self.session)
        response = session.request(method, self.url(path, account), timeout=10, **kwargs)
        return self.validate(response, status)

    def validate(self, response: requests.Response, status: int) -> Any:
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"] == "application/json"
        check_rate_limit_headers(response)
        body = response.json()
        operation = self.operation_id(response)
        if operation is None:
            # No operation in the reference answers this path: check the failure envelope itself.
            OAS30Validator({"$ref": FAILURE, "components": self.spec["components"]}).validate(body)
        else:
            self.openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        if status == 200:
            assert operation is not None
            self.succeeded.add(operation)
        else:
            assert body["success"] is False and body["result"] is None
            self.errors_seen.add((operation or "no-route", status, body["errors"][0]["code"]))
        return body


RATELIMIT = re.compile(r'"default";r=(\d+);t=(\d+)')
RATELIMIT_POLICY = re.compile(r'"default";q=(\d+);w=(\d+)')


def check_rate_limit_headers(response: requests.Response) -> None:
    """Both headers or neither, in the draft's syntax (structured-field items with integer parameters)."""
    present = {name for name in ("Ratelimit", "Ratelimit-Policy") if name in response.headers}
    assert present in (set(), {"Ratelimit", "Ratelimit-Policy"}), present
    if present:
        remaining = RATELIMIT.fullmatch(response.headers["Ratelimit"])
        policy = RATELIMIT_POLICY.fullmatch(response.headers["Ratelimit-Policy"])
        assert remaining is not None and policy is not None, dict(response.headers)
        assert int(remaining.group(1)) <= int(policy.group(1))
        assert 1 <= int(remaining.group(2)) <= int(policy.group(2))


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def emulator(clock: FakeClock) -> Iterator[Emulator]:
    config = EmulatorConfig(
        token=TOKEN, pending_seconds=1, running_seconds=1, max_items_per_account=8, max_body_bytes=64 * 1024
    )
    with Emulator(config, clock=clock) as running:
        yield running


@pytest.fixture
def conformance(emulator: Emulator) -> Conformance:
    return Conformance(emulator)


def write_and_finish(check: Conformance, clock: FakeClock, method: str, list_id: str, body: Any) -> Dict[str, Any]:
    """A write, then its status seen pending, running and finished, every response validated."""
    operation_id = check.call(method, f"/{list_id}/items", json=body)["result"]["operation_id"]
    statuses: List[Dict[str, Any]] = []
    for _ in range(3):
        statuses.append(check.call("GET", f"/bulk_operations/{operation_id}")["result"])
        clock.advance(1)
    assert [status["status"] for status in statuses[:2]] == ["pending", "running"]
    return statuses[2]


def test_every_success_response_matches_the_reference(conformance: Conformance, clock: FakeClock) -> None:
    check = conformance
    assert check.call("GET")["result"] == []
    kinds = ("ip", "hostname", "asn", "redirect")
    by_kind = {kind: check.call("POST", json={"name": f"all_{kind}", "kind": kind})["result"] for kind in kinds}
    ip_list = by_kind["ip"]["id"]
    assert len(check.call("GET")["result"]) == 4
    check.call("GET", f"/{ip_list}")
    check.call("PUT", f"/{ip_list}", json={"description": "conformance"})

    items = {
        "ip": [{"ip": "10.0.0.0/8", "comment": "private"}, {"ip": "2001:db8::/32"}],
        "hostname": [{"hostname": {"url_hostname": "*.example.com"}}, {"hostname": {"url_hostname": "example.org"}}],
        "asn": [{"asn": 13335}],
        "redirect": [{"redirect": {"source_url": "example.com", "target_url": "https://example.net/b"}}],
    }
    for kind, new_items in items.items():
        assert write_and_finish(check, clock, "POST", by_kind[kind]["id"], new_items)["status"] == "completed"
        page = check.call("GET", f"/{by_kind[kind]['id']}/items", params={"per_page": 1})
        assert page["result"][0][kind]
        check.call("GET", f"/{by_kind[kind]['id']}/items/{page['result'][0]['id']}")
        check.call("GET", f"/{by_kind[kind]['id']}/items")

    cursor = check.call("GET", f"/{ip_list}/items", params={"per_page": 1})["result_info"]["cursors"]["after"]
    check.call("GET", f"/{ip_list}/items", params={"per_page": 1, "cursor": cursor, "search": "2001"})

    failed = write_and_finish(check, clock, "PUT", ip_list, [{"ip": "10.0.0.0/7"}])
    assert failed["status"] == "failed" and failed["error"]
    bad_url = [{"redirect": {"source_url": "http://[::1", "target_url": "https://example.net/"}}]
    assert write_and_finish(check, clock, "POST", by_kind["redirect"]["id"], bad_url)["status"] == "failed"
    too_many = [{"asn": n} for n in range(1, 5)]
    full = write_and_finish(check, clock, "POST", by_kind["asn"]["id"], too_many)
    assert full["error"] == "This list is at the maximum number of items"
    assert write_and_finish(check, clock, "PUT", ip_list, [{"ip": "192.0.2.1"}])["status"] == "completed"
    [item] = check.call("GET", f"/{ip_list}/items")["result"]
    assert write_and_finish(check, clock, "DELETE", ip_list, {"items": [{"id": item["id"]}]})["status"] == "completed"
    for created in by_kind.values():
        check.call("DELETE", f"/{created['id']}", json={})

    every_operation = {operation["operationId"] for path in check.spec["paths"].values() for operation in path.values()}
    assert len(every_operation) == 11
    assert check.succeeded == every_operation


def test_every_error_envelope_matches_the_reference(
    conformance: Conformance, emulator: Emulator, clock: FakeClock
) -> None:
    check = conformance
    list_id = check.call("POST", json={"name": "errors", "kind": "ip"})["result"]["id"]
    unknown = "0" * 32
    # Authentication.
    check.call("GET", status=400, session=check.anonymous)
    check.call("GET", status=400, headers={"Authorization": "Token abc"})
    check.call("GET", status=403, headers={"Authorization": "Bearer wrong"})
    check.call("GET", status=403, session=check.anonymous, headers={"X-Auth-Email": "a@b.c", "X-Auth-Key": "k"})
    # Routing.
    check.call("GET", status=400, account="not-an-account")
    check.validate(check.session.get(emulator.base_url + "/zones", timeout=10), 400)
    check.validate(check.session.patch(check.url(), json={}, timeout=10), 400)
    # Not found.
    check.call("GET", f"/{unknown}", status=404)
    check.call("PUT", f"/{unknown}", status=404, json={"description": "x"})
    check.call("DELETE", f"/{unknown}", status=404, json={})
    check.call("GET", f"/{unknown}/items", status=404)
    check.call("POST", f"/{unknown}/items", status=404, json=[])
    check.call("PUT", f"/{unknown}/items", status=404, json=[])
    check.call("DELETE", f"/{unknown}/items", status=404, json={"items": [{"id": unknown}]})
    check.call("GET", f"/{list_id}/items/{unknown}", status=404)
    check.call("GET", f"/bulk_operations/{unknown}", status=404)
    # Validation.
    check.call("POST", status=400, json={"name": "Bad-Name", "kind": "ip"})
    check.call("POST", status=400, json={"name": "ok", "kind": "url"})
    check.call("POST", status=400, json={"name": "ok", "kind": "ip", "description": "d" * 501})
    check.call("POST", status=400, json={"name": "errors", "kind": "ip"})
    check.call("POST", status=400, data="{", headers={"Content-Type": "application/json"})
    check.call("PUT", f"/{list_id}", status=400, json={"description": 5})
    check.call("GET", f"/{list_id}/items", status=400, params={"per_page": 0})
    check.call("GET", f"/{list_id}/items", status=400, params={"per_page": "\u00b2"})
    check.call("GET", f"/{list_id}/items", status=400, params={"cursor": "\u0661\u0662"})
    check.call("POST", f"/{list_id}/items", status=400, json={"ip": "10.0.0.1"})
    check.call("POST", f"/{list_id}/items", status=400, data="[" * 10_000 + "]" * 10_000)
    check.call("POST", f"/{list_id}/items", status=400, data='[{"ip": NaN}]')
    check.call("POST", f"/{list_id}/items", status=400, json=[{"ip": "10.0.0.1"}, {"ip": "10.0.0.1/32"}])
    check.call("DELETE", f"/{list_id}/items", status=400, json={"items": []})
    check.call("PUT", f"/{list_id}/items", status=413, data=b"[" + b" " * emulator.config.max_body_bytes + b"]")
    # One pending bulk operation per account.
    other_id = check.call("POST", json={"name": "errors_other", "kind": "ip"})["result"]["id"]
    check.call("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}])
    check.call("PUT", f"/{list_id}/items", status=429, json=[])
    check.call("POST", f"/{other_id}/items", status=429, json=[])
    check.call("DELETE", f"/{list_id}", status=429, json={})
    clock.advance(2)

    codes = {code for _, _, code in check.errors_seen}
    assert codes == {9106, 6003, 10000, 7003, 7000, 10006, 10002, 10003, 10004, 10005, 10001, 10007, 10008, 10010}
    # Every operation has an error response checked, not only its success.
    every_operation = {operation["operationId"] for path in check.spec["paths"].values() for operation in path.values()}
    assert {operation for operation, _, _ in check.errors_seen} >= every_operation


def test_rate_limit_envelope_matches_the_reference() -> None:
    with Emulator(EmulatorConfig(rate_limit=1, rate_window_seconds=60)) as emulator:
        check = Conformance(emulator)
        check.session.headers["Authorization"] = "Bearer emulator-token"
        check.call("GET")
        check.call("GET", status=429)
        refused = check.session.get(check.url(), timeout=10)
        retry_after = refused.headers["Retry-After"]
        assert 1 <= int(retry_after) <= 60
        assert refused.headers["Ratelimit"] == f'"default";r=0;t={retry_after}'
        assert refused.headers["Ratelimit-Policy"] == '"default";q=1;w=60'
    assert ("lists-get-lists", 429, 971) in check.errors_seen


def test_write_quota_envelope_matches_the_reference() -> None:
    config = EmulatorConfig(token=TOKEN, pending_seconds=0, running_seconds=0, write_quota_item_changes=1)
    with Emulator(config) as emulator:
        check = Conformance(emulator)
        list_id = check.call("POST", json={"name": "quota", "kind": "ip"})["result"]["id"]
        check.call("POST", f"/{list_id}/items", json=[{"ip": "10.0.0.1"}])
        check.call("GET", f"/{list_id}")  # the operation has finished
        for method in ("POST", "PUT"):
            body = check.call(method, f"/{list_id}/items", status=429, json=[{"ip": "10.0.0.2"}])
            assert body["errors"][0]["message"].startswith("Write quota exceeded (1 list item changes per account")
    assert ("lists-create-list-items", 429, 10012) in check.errors_seen
    assert ("lists-update-all-list-items", 429, 10012) in check.errors_seen


def test_invalid_items_refused_at_once_match_the_reference() -> None:
    with Emulator(EmulatorConfig(token=TOKEN, item_errors="request")) as emulator:
        check = Conformance(emulator)
        list_id = check.call("POST", json={"name": "strict", "kind": "ip"})["result"]["id"]
        check.call("POST", f"/{list_id}/items", status=400, json=[{"ip": "10.0.0.0/7"}])
    assert ("lists-create-list-items", 400, 10009) in check.errors_seen


def test_injected_429_matches_the_reference_and_html_pages_are_html() -> None:
    with Emulator(EmulatorConfig(fault_rate=1.0, fault_kinds=("rate_limited",))) as emulator:
        check = Conformance(emulator)
        check.session.headers["Authorization"] = "Bearer emulator-token"
        check.call("GET", status=429)
        for kind, status in (("html_502", 502), ("html_503", 503)):
            emulator.set_faults(1.0, [kind])
            response = check.session.get(check.url(), timeout=10)
            assert response.status_code == status
            assert response.headers["Content-Type"].startswith("text/html")
            with pytest.raises(ValueError):
                response.json()


@pytest.mark.parametrize(
    ("why", "method", "path", "body", "status"),
    [
        ("E1: object results", "POST", "", {"name": "verbatim", "kind": "ip"}, 200),
        ("E3: error envelopes", "GET", "/" + "0" * 32, None, 404),
    ],
)
def test_verbatim_reference_rejects_valid_responses_hence_the_errata(
    emulator: Emulator, why: str, method: str, path: str, body: Any, status: int
) -> None:
    spec = load_reference()
    spec["servers"] = [{"url": "/client/v4"}]
    session = requests.Session()
    session.trust_env = False
    url = f"{emulator.base_url}/accounts/{ACCOUNT}/rules/lists{path}"
    response = session.request(method, url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == status
    with pytest.raises(InvalidData):
        OpenAPI.from_dict(spec).validate_response(
            RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
        )
