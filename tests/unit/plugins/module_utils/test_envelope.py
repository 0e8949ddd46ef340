"""envelope: every answer Cloudflare (or something else at base_url) can give, as a result or a typed error."""

from __future__ import annotations

import json

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.envelope import (
    EXCERPT_CHARS,
    cloudflare_errors,
    excerpt,
    parse_answer,
    parse_bulk_operation,
    parse_envelope,
    scrub,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    CloudflareListsError,
    EndpointError,
    MalformedResponseError,
    NotFoundError,
    OperationPendingError,
    QuotaExceededError,
    RateLimitedError,
    TransportError,
    UnexpectedStatusError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry_after import MAX_RETRY_AFTER
from ansible_collections.edgeops.cloudflare_lists.tests.support.answers import envelope_bytes, operation
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import OPERATION_ID, TOKEN, WHAT

MESSAGE_LIMIT = 1200
CF_ERROR = {"code": 10000, "message": "Authentication error"}
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


def parse(status, body, headers=None, secrets=()):
    return parse_envelope(status, headers or {}, body, what=WHAT, secrets=secrets)


def check_message(exc):
    message = str(exc)
    assert message.startswith(WHAT)
    assert "\n" not in message and "\r" not in message
    assert len(message) <= MESSAGE_LIMIT
    return message


# --- helpers ------------------------------------------------------------------------------------


def test_excerpt_collapses_whitespace_and_quotes():
    assert excerpt(b"  a\n\tb  ") == "'a b'"
    assert excerpt("text body") == "'text body'"


def test_excerpt_of_an_empty_body_says_so():
    assert excerpt(b"") == "(empty body)"
    assert excerpt(b" \r\n ") == "(empty body)"


def test_excerpt_is_bounded():
    text = excerpt(b"x" * 10_000)
    assert text == repr("x" * EXCERPT_CHARS + "...")


def test_excerpt_replaces_undecodable_bytes():
    assert excerpt(b"\xff\xfeok") == repr("\ufffd\ufffdok")


def test_excerpt_scrubs_secrets_before_truncating():
    body = ("x" * (EXCERPT_CHARS - 10) + TOKEN).encode()
    text = excerpt(body, secrets=[TOKEN])
    assert TOKEN not in text
    assert TOKEN[:10] not in text
    assert "***" in text


def test_scrub_replaces_every_secret_and_ignores_empty_ones():
    assert scrub(f"a {TOKEN} b {TOKEN} c KEY", [TOKEN, "", "KEY"]) == "a *** b *** c ***"
    assert scrub("unchanged", []) == "unchanged"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (None, []),
        ([], []),
        ({"errors": None}, []),
        ({"errors": "oops"}, []),
        ({}, []),
        ({"errors": [{"code": 1000, "message": "bad"}]}, [{"code": 1000, "message": "bad"}]),
        ({"errors": [{"message": "no code"}]}, [{"code": None, "message": "no code"}]),
        ({"errors": [{"code": "1000", "message": "str code"}]}, [{"code": None, "message": "str code"}]),
        ({"errors": [{"code": True, "message": "bool code"}]}, [{"code": None, "message": "bool code"}]),
        ({"errors": [{"code": 7}]}, [{"code": 7, "message": ""}]),
        ({"errors": [{"code": 7, "message": 42}]}, [{"code": 7, "message": "42"}]),
        ({"errors": ["string entry", 3, None, {"code": 9, "message": "kept"}]}, [{"code": 9, "message": "kept"}]),
    ],
)
def test_cloudflare_errors_tolerates_any_shape(document, expected):
    assert cloudflare_errors(document) == expected


# --- 2xx: the envelope --------------------------------------------------------------------------


def test_success_true_returns_the_result():
    result = operation("pending")
    assert parse(200, envelope_bytes(result)) == result


@pytest.mark.parametrize("status", [200, 201, 203, 299])
def test_any_2xx_is_parsed_as_an_envelope(status):
    assert parse(status, envelope_bytes({"x": 1})) == {"x": 1}


@pytest.mark.parametrize("result", [[], "", 0, False, {}])
def test_falsy_but_present_result_is_returned_for_the_result_parser_to_judge(result):
    assert parse(200, envelope_bytes(result)) == result


def test_success_false_on_http_200_is_an_api_error_with_codes_and_messages():
    errors = [{"code": 10000, "message": "Authentication error"}, {"code": 7003, "message": "No route."}]
    with pytest.raises(ApiError) as info:
        parse(200, envelope_bytes(None, success=False, errors=errors))
    exc = info.value
    assert info.type is ApiError
    assert exc.http_status == 200
    assert exc.cloudflare_errors == errors
    message = check_message(exc)
    assert "success: false" in message
    assert "Authentication error (10000)" in message
    assert "No route. (7003)" in message
    assert exc.details()["cloudflare_errors"] == errors


def test_success_false_without_errors_says_no_detail():
    with pytest.raises(ApiError) as info:
        parse(200, envelope_bytes(operation("pending"), success=False))
    assert info.type is ApiError
    assert "no error detail given" in check_message(info.value)
    assert info.value.cloudflare_errors == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (HTML_502, "the body is not JSON"),
        (b"", "the body is not JSON"),
        (b'{"success": true, "result": {"id": "4da8', "the body is not JSON"),
        (b"\xff\xfe{}", "the body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "the body is not JSON"),
        (b"1" * 5000, "the body is not JSON"),
        (b"[]", "the body is not a JSON object"),
        (b'[{"success": true}]', "the body is not a JSON object"),
        (b'"success"', "the body is not a JSON object"),
        (b"42", "the body is not a JSON object"),
        (b"null", "the body is not a JSON object"),
        (b"true", "the body is not a JSON object"),
        (b"{}", "'success' is missing or not a boolean"),
        (b'{"result": {"id": "x"}}', "'success' is missing or not a boolean"),
        (b'{"success": "true", "result": {}}', "'success' is missing or not a boolean"),
        (b'{"success": 1, "result": {}}', "'success' is missing or not a boolean"),
        (b'{"success": null, "result": {}}', "'success' is missing or not a boolean"),
        (b'{"success": true}', "'result' is missing or null"),
        (b'{"success": true, "result": null}', "'result' is missing or null"),
    ],
    ids=lambda value: value[:40] if isinstance(value, (bytes, str)) else None,
)
def test_2xx_that_is_not_the_envelope_is_malformed(body, problem):
    with pytest.raises(MalformedResponseError) as info:
        parse(200, body)
    exc = info.value
    assert info.type is MalformedResponseError
    assert exc.http_status == 200
    message = check_message(exc)
    assert f"HTTP 200 but {problem}" in message
    assert "check base_url" in message


def test_malformed_2xx_keeps_any_cloudflare_errors_it_carries():
    body = json.dumps({"success": "yes", "errors": [CF_ERROR]}).encode()
    with pytest.raises(MalformedResponseError) as info:
        parse(200, body)
    assert info.value.cloudflare_errors == [CF_ERROR]


# --- 3xx: never followed ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [300, 301, 302, 303, 307, 308])
def test_redirect_is_an_endpoint_error_naming_the_location(status):
    with pytest.raises(EndpointError) as info:
        parse(status, b"", headers={"Location": "https://elsewhere.example/v4"})
    exc = info.value
    assert exc.http_status == status
    message = check_message(exc)
    assert f"HTTP {status}" in message
    assert "https://elsewhere.example/v4" in message
    assert "Redirects are not followed" in message


def test_redirect_location_header_is_found_case_insensitively():
    with pytest.raises(EndpointError, match="elsewhere"):
        parse(302, b"", headers={"location": "https://elsewhere.example"})


def test_redirect_without_location_says_so():
    with pytest.raises(EndpointError, match=r"\(no Location header\)"):
        parse(302, b"")


def test_redirect_location_is_scrubbed_and_bounded():
    location = f"https://elsewhere.example/?token={TOKEN}&pad=" + "p" * 5000
    with pytest.raises(EndpointError) as info:
        parse(302, b"", headers={"Location": location}, secrets=[TOKEN])
    message = check_message(info.value)
    assert TOKEN not in message
    assert "https://elsewhere.example/?token=***" in message


# --- other statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "hint"),
    [
        (401, AuthenticationError, "Check the API token"),
        (403, AuthenticationError, "Account Filter Lists Read"),
        (404, NotFoundError, "Check account_id and operation_id"),
        (429, RateLimitedError, "1,200 requests per 5 minutes"),
        (500, TransportError, "retry later"),
        (502, TransportError, "retry later"),
        (503, TransportError, "retry later"),
        (504, TransportError, "retry later"),
        (520, TransportError, "retry later"),
        (599, TransportError, "retry later"),
    ],
)
@pytest.mark.parametrize("with_errors", [True, False], ids=["cf-errors", "no-cf-errors"])
def test_error_status_maps_to_its_error_type(status, kind, hint, with_errors):
    body = envelope_bytes(None, success=False, errors=[CF_ERROR]) if with_errors else HTML_502
    with pytest.raises(kind) as info:
        parse(status, body)
    exc = info.value
    assert info.type is kind
    assert exc.http_status == status
    message = check_message(exc)
    assert f"HTTP {status}: " in message
    assert hint in message
    if with_errors:
        assert "Authentication error (10000)" in message
        assert exc.cloudflare_errors == [CF_ERROR]
    else:
        assert "body '<html> <head><title>502 Bad Gateway" in message
        assert exc.cloudflare_errors == []


@pytest.mark.parametrize("status", [100, 199, 400, 405, 409, 418, 422, 499])
@pytest.mark.parametrize("with_errors", [True, False], ids=["cf-errors", "no-cf-errors"])
def test_other_status_is_a_plain_api_error_without_a_hint(status, with_errors):
    body = envelope_bytes(None, success=False, errors=[CF_ERROR]) if with_errors else b"nope."
    with pytest.raises(ApiError) as info:
        parse(status, body)
    exc = info.value
    assert info.type is ApiError
    assert exc.http_status == status
    message = check_message(exc)
    assert message.endswith(".")
    assert "retry later" not in message and "Check" not in message
    assert ("Authentication error (10000)" if with_errors else "body 'nope.'") in message


def test_error_status_with_an_empty_body_says_so():
    with pytest.raises(NotFoundError, match=r"HTTP 404: body \(empty body\)\."):
        parse(404, b"")


def test_error_codeless_cloudflare_message_is_shown_without_parentheses():
    with pytest.raises(ApiError) as info:
        parse(400, envelope_bytes(None, success=False, errors=[{"message": "bad request."}]))
    assert str(info.value) == f"{WHAT}: HTTP 400: bad request."


def test_only_the_first_five_cloudflare_errors_go_in_the_message_but_all_are_kept():
    errors = [{"code": n, "message": f"problem {n}"} for n in range(8)]
    with pytest.raises(ApiError) as info:
        parse(400, envelope_bytes(None, success=False, errors=errors))
    message = check_message(info.value)
    assert "problem 4 (4)" in message
    assert "problem 5" not in message
    assert info.value.cloudflare_errors == errors


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": "0"}, 0.0),
        ({"RETRY-AFTER": "2.5"}, 2.5),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"Retry-After": "9" * 5000}, MAX_RETRY_AFTER),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "1e3"}, None),
        ({"Retry-After": ""}, None),
        ({}, None),
        ({"X-Other": "1"}, None),
    ],
)
def test_rate_limited_error_carries_retry_after_in_seconds(headers, expected):
    with pytest.raises(RateLimitedError) as info:
        parse(429, envelope_bytes(None, success=False, errors=[{"code": 971, "message": "Please wait"}]), headers)
    exc = info.value
    assert exc.retry_after == expected
    details = exc.details()
    assert details["http_status"] == 429
    if expected is None:
        assert "retry_after" not in details
    else:
        assert details["retry_after"] == expected


QUOTA_MESSAGE = "Write quota exceeded: at most 1,000,000 list item changes per account per 12 hours"


@pytest.mark.parametrize(
    "error",
    [
        {"code": 10012, "message": QUOTA_MESSAGE},
        {"code": 10012, "message": "Too many writes"},  # the emulator's code alone
        {"code": 1015, "message": "Account write QUOTA reached"},  # another code, a message naming the quota
    ],
)
def test_a_writes_429_naming_the_write_quota_is_quota_exceeded_with_what_to_do(error):
    body = envelope_bytes(None, success=False, errors=[error])
    with pytest.raises(QuotaExceededError) as info:
        parse_answer(429, {"Retry-After": "3600"}, body, what=WHAT, write=True)
    exc = info.value
    message = check_message(exc)
    assert error["message"] in message
    assert "1,000,000 list item changes and 30,000 item-writing requests per 12 hours" in message
    assert "nothing was written" in message and "Cloudflare asked to wait 3600 s" in message
    assert exc.retry_after == 3600.0 and exc.http_status == 429
    assert not isinstance(exc, OperationPendingError)


def test_a_writes_429_that_names_no_quota_is_still_the_pending_operation():
    body = envelope_bytes(None, success=False, errors=[{"code": 10007, "message": "a bulk operation is pending"}])
    with pytest.raises(OperationPendingError):
        parse_answer(429, {}, body, what=WHAT, write=True)


def test_a_reads_429_naming_a_quota_is_the_rate_limit():
    body = envelope_bytes(None, success=False, errors=[{"code": 10012, "message": QUOTA_MESSAGE}])
    with pytest.raises(RateLimitedError):
        parse_answer(429, {}, body, what=WHAT)


# --- secrets and message shape on every branch --------------------------------------------------

LONG_NOISE = "\n".join(["line with\ttabs and    spaces"] * 400)
ECHO_ERRORS = [{"code": 9109, "message": f"Invalid access token {TOKEN}\n{LONG_NOISE}"}] * 7


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        pytest.param(302, {"Location": f"https://evil.example/{TOKEN}"}, b"", id="redirect"),
        pytest.param(401, {}, envelope_bytes(None, success=False, errors=ECHO_ERRORS), id="401-cf-errors"),
        pytest.param(403, {}, f"<html>{TOKEN}\n{LONG_NOISE}</html>".encode(), id="403-html"),
        pytest.param(404, {}, envelope_bytes(None, success=False, errors=ECHO_ERRORS), id="404"),
        pytest.param(429, {"Retry-After": "5"}, envelope_bytes(None, success=False, errors=ECHO_ERRORS), id="429"),
        pytest.param(502, {}, f"<html>{LONG_NOISE}{TOKEN}</html>".encode(), id="502-html"),
        pytest.param(400, {}, envelope_bytes(None, success=False, errors=ECHO_ERRORS), id="400"),
        pytest.param(200, {}, envelope_bytes(None, success=False, errors=ECHO_ERRORS), id="200-success-false"),
        pytest.param(200, {}, f"{TOKEN} {LONG_NOISE}".encode(), id="200-not-json"),
        pytest.param(200, {}, json.dumps([TOKEN, LONG_NOISE]).encode(), id="200-list"),
        pytest.param(200, {}, json.dumps({"success": TOKEN, "x": LONG_NOISE}).encode(), id="200-success-str"),
        pytest.param(200, {}, json.dumps({"success": True, "note": TOKEN + LONG_NOISE}).encode(), id="200-no-result"),
    ],
)
def test_every_envelope_error_is_one_bounded_line_without_the_secret(status, headers, body):
    with pytest.raises(CloudflareListsError) as info:
        parse(status, body, headers, secrets=[TOKEN])
    exc = info.value
    check_message(exc)
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert TOKEN not in repr(exc.details())
    assert TOKEN not in repr(exc.cloudflare_errors)


# --- parse_bulk_operation -----------------------------------------------------------------------


def bulk(result, operation_id=OPERATION_ID):
    return parse_bulk_operation(result, operation_id, what=WHAT)


@pytest.mark.parametrize("status", ["pending", "running"])
def test_unfinished_status_has_no_timestamp_or_error_even_if_sent(status):
    facts = bulk(operation(status, completed="garbage", error="ignored"))
    assert facts == BulkOperationFacts(id=OPERATION_ID, status=status)


def test_completed_normalizes_the_timestamp():
    facts = bulk(operation("completed", completed="2024-05-01T12:34:56.120+02:00"))
    assert facts == BulkOperationFacts(id=OPERATION_ID, status="completed", completed_at="2024-05-01T10:34:56.12Z")
    assert facts.succeeded


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T12:34:56Z", "2024-05-01T12:34:56Z"),
        ("2024-05-01t12:34:56z", "2024-05-01T12:34:56Z"),
        ("2024-05-01T12:34:56+02:00", "2024-05-01T10:34:56Z"),
        ("2024-05-01T12:34:56.5-01:00", "2024-05-01T13:34:56.5Z"),
    ],
)
def test_completed_timestamp_is_normalized_to_utc_z(raw, expected):
    assert bulk(operation("completed", completed=raw)).completed_at == expected
    assert bulk(operation("failed", completed=raw, error="x")).completed_at == expected


def test_completed_without_a_timestamp_is_accepted_with_none():
    assert bulk(operation("completed")).completed_at is None
    assert bulk(operation("completed", completed=None)).completed_at is None


@pytest.mark.parametrize(
    "raw",
    ["", "yesterday", "2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T12:34:56", 1714566896, 0, [], {}, True],
)
@pytest.mark.parametrize("status", ["completed", "failed"])
def test_finished_with_an_invalid_timestamp_is_malformed(status, raw):
    with pytest.raises(MalformedResponseError) as info:
        bulk(operation(status, completed=raw, error="x"))
    assert info.type is MalformedResponseError
    message = check_message(info.value)
    assert "'completed' is not an RFC 3339 timestamp" in message


def test_failed_carries_cloudflare_error_text():
    facts = bulk(operation("failed", completed="2024-05-01T12:34:56Z", error="list item limit reached"))
    assert facts == BulkOperationFacts(
        id=OPERATION_ID, status="failed", completed_at="2024-05-01T12:34:56Z", error="list item limit reached"
    )
    assert facts.finished and not facts.succeeded


def test_failed_without_error_has_error_none():
    assert bulk(operation("failed", completed="2024-05-01T12:34:56Z")).error is None
    assert bulk(operation("failed", error=None)).error is None


def test_failed_with_empty_error_keeps_the_empty_string():
    assert bulk(operation("failed", error="")).error == ""


@pytest.mark.parametrize("raw", [42, ["a"], {"message": "m"}, True, 1.5])
def test_failed_with_a_non_string_error_is_malformed(raw):
    with pytest.raises(MalformedResponseError) as info:
        bulk(operation("failed", error=raw))
    assert "'error' is not a string" in check_message(info.value)


def test_completed_ignores_a_non_string_error():
    assert bulk(operation("completed", error=42)).error is None


@pytest.mark.parametrize("result", [[], "pending", 42, True, 1.5, [operation("pending")]])
def test_result_that_is_not_an_object_is_malformed(result):
    with pytest.raises(MalformedResponseError) as info:
        bulk(result)
    assert info.type is MalformedResponseError
    assert f"the result is not an object but {type(result).__name__}" in check_message(info.value)


@pytest.mark.parametrize(
    "result",
    [
        {"status": "completed"},
        operation("completed", operation_id="someone-else"),
        operation("completed", operation_id=OPERATION_ID.upper()),
        {"id": None, "status": "pending"},
        {"id": 42, "status": "pending"},
        {"id": "x" * 500, "status": "pending"},
    ],
)
def test_result_for_another_operation_is_malformed(result):
    with pytest.raises(MalformedResponseError) as info:
        bulk(result)
    assert info.type is MalformedResponseError
    message = check_message(info.value)
    assert f"not the requested '{OPERATION_ID}'" in message


@pytest.mark.parametrize(
    "status",
    ["cancelled", "queued", "", "PENDING", "Completed", " running", None, 1, True, ["pending"], {"s": 1}],
)
def test_unknown_or_non_string_status_is_an_unexpected_status_error(status):
    with pytest.raises(UnexpectedStatusError) as info:
        bulk({"id": OPERATION_ID, "status": status})
    exc = info.value
    assert isinstance(exc, MalformedResponseError)
    message = check_message(exc)
    assert "unknown operation status" in message
    assert "expected pending, running, completed or failed" in message


def test_missing_status_is_an_unexpected_status_error():
    with pytest.raises(UnexpectedStatusError):
        bulk({"id": OPERATION_ID})


def test_a_failed_operations_error_is_scrubbed_of_the_secret_in_every_spelling():
    slashed = "Sn3lZJTBX6kk/g7OdcBUA/xOO963"
    echoed = f"invalid item 0; request headers: Authorization: Bearer {slashed.replace('/', chr(92) + '/')}"
    document = json.loads(envelope_bytes(operation("failed", error=echoed)).decode())
    facts = parse_bulk_operation(document["result"], OPERATION_ID, what=WHAT, secrets=[slashed])
    assert facts.error == "invalid item 0; request headers: Authorization: Bearer ***"
    assert "g7OdcBUA" not in repr(facts.to_dict())


def test_raw_body_excerpts_are_scrubbed_of_json_escaped_secrets():
    slashed = "Sn3lZJTBX6kk/g7OdcBUA/xOO963"
    body = json.dumps({"echo": slashed}).replace("/", "\\/").encode()  # as PHP and others encode
    assert slashed.replace("/", "\\/").encode() in body
    with pytest.raises(CloudflareListsError) as info:
        parse(500, body, secrets=[slashed])
    assert "g7OdcBUA" not in str(info.value)


@pytest.mark.parametrize(
    "result",
    [
        pytest.param({"id": TOKEN, "status": "pending"}, id="id"),
        pytest.param(operation("Bearer " + TOKEN), id="status"),
        pytest.param(operation("completed", completed=TOKEN), id="completed"),
        pytest.param(operation("failed", error=[TOKEN]), id="error"),
    ],
)
def test_result_errors_never_echo_a_secret(result):
    with pytest.raises(MalformedResponseError) as info:
        parse_bulk_operation(result, OPERATION_ID, what=WHAT, secrets=[TOKEN])
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value.details())


# --- terminal controls from the server are neutralized wherever they are quoted -------------------------------

HOSTILE_TEXT = "\x1b[2J\x1b[31mfake prompt$ \u202eevil\u202c\r\nforged line"


def assert_neutral(text):
    for char in ("\x1b", "\u202e", "\u202c", "\r", "\n"):
        assert char not in text


def test_a_redirect_location_with_controls_is_quoted_neutralized():
    with pytest.raises(EndpointError) as info:
        parse(302, b"", headers={"Location": "https://x.example/" + HOSTILE_TEXT})
    assert_neutral(str(info.value))
    assert "\\x1b[2J" in str(info.value)


def test_cloudflare_error_messages_with_controls_are_neutralized_in_the_message_and_the_data():
    body = envelope_bytes(None, success=False, errors=[{"code": 10000, "message": HOSTILE_TEXT}])
    with pytest.raises(AuthenticationError) as info:
        parse(403, body)
    assert_neutral(str(info.value))
    assert_neutral(info.value.cloudflare_errors[0]["message"])


def test_a_failed_operations_error_with_controls_is_neutralized():
    facts = parse_bulk_operation(operation("failed", error=HOSTILE_TEXT), OPERATION_ID, what=WHAT)
    assert_neutral(facts.error)
    assert facts.error.startswith("\\x1b[2J\\x1b[31mfake prompt$ \\u202eevil")


@pytest.mark.parametrize("code", [7000, 7003])
def test_routing_errors_point_at_base_url(code):
    body = json.dumps({"success": False, "errors": [{"code": code, "message": "No route for that URI"}]}).encode()
    with pytest.raises(ApiError) as info:
        parse(400, body)
    assert "Check base_url: it should end with /client/v4" in str(info.value)


def test_a_long_server_message_is_cut_at_a_word_boundary():
    message = "A bulk operation of this account is still pending; send the next write once it has finished. " * 3
    text = excerpt(message.encode())
    assert text.endswith("...'")
    cut = text[1:-4]
    assert len(cut) <= EXCERPT_CHARS and message.startswith(cut)
    assert message[len(cut)] == " "  # the last word shown is whole
