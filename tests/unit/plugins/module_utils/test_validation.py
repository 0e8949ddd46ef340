"""validation: ids and base_url are refused before anything is sent, with a message naming the parameter."""

from __future__ import annotations

import pytest
import responses
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import Credentials
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    resolve_operation,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    ValidationError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    describe_value,
    validate_account_id,
    validate_base_url,
    validate_ids,
    validate_operation_id,
    validate_positive_number,
)
from core_testkit import ACCOUNT_ID, OPERATION_ID, TOKEN

BAD_IDS = [
    pytest.param("", id="empty"),
    pytest.param(None, id="None"),
    pytest.param(123, id="int"),
    pytest.param(b"4da8780eeb215e6cb7f48dd981c4ea02", id="bytes"),
    pytest.param(["4da8780eeb215e6cb7f48dd981c4ea02"], id="list"),
    pytest.param("../../user/tokens", id="dotdot"),
    pytest.param("..", id="dotdot-only"),
    pytest.param("abc/../def", id="slash"),
    pytest.param("abc%2fdef", id="pct2f"),
    pytest.param("abc%2Fdef", id="pct2F"),
    pytest.param("abc def", id="space"),
    pytest.param(" abc", id="leading-space"),
    pytest.param("abc\n", id="trailing-newline"),
    pytest.param("abc\tdef", id="tab"),
    pytest.param("abc?x=1", id="query"),
    pytest.param("abc#x", id="fragment"),
    pytest.param("abc_def", id="underscore"),
    pytest.param("abc.def", id="dot"),
    pytest.param("\u0430bc", id="cyrillic-a"),
    pytest.param("\uff11\uff12\uff13", id="fullwidth-digits"),
]


# --- account_id ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [ACCOUNT_ID, "0" * 32, "f" * 32])
def test_account_id_of_32_hex_is_accepted_unchanged(value):
    assert validate_account_id(value) == value


@pytest.mark.parametrize("value", [ACCOUNT_ID.upper(), ACCOUNT_ID[:16].upper() + ACCOUNT_ID[16:]])
def test_an_upper_case_account_id_is_normalized_to_lower_case(value):
    # Cloudflare's routing refuses upper-case hex (7003), and its hint then pointed at base_url.
    assert validate_account_id(value) == ACCOUNT_ID


@pytest.mark.parametrize(
    "value",
    [*BAD_IDS, "0" * 31, "0" * 33, "g" * 32, ACCOUNT_ID + "\n", ACCOUNT_ID[:31] + " ", "0x" + "0" * 30],
)
def test_account_id_other_than_32_hex_is_refused_naming_account_id(value):
    with pytest.raises(ValidationError) as info:
        validate_account_id(value)
    assert info.value.parameter == "account_id"
    assert str(info.value).startswith("Invalid account_id: ")
    assert "\n" not in str(info.value)


# --- operation_id -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [OPERATION_ID, "a", "A-b-0", "-", "x" * 64, "550e8400-e29b-41d4-a716-446655440000"])
def test_operation_id_of_letters_digits_dashes_up_to_64_is_accepted(value):
    assert validate_operation_id(value) == value


@pytest.mark.parametrize("value", [*BAD_IDS, "x" * 65])
def test_operation_id_with_anything_else_is_refused_naming_operation_id(value):
    with pytest.raises(ValidationError) as info:
        validate_operation_id(value)
    assert info.value.parameter == "operation_id"
    assert str(info.value).startswith("Invalid operation_id: ")
    assert "\n" not in str(info.value)


def test_validate_ids_checks_account_id_first_then_operation_id():
    assert validate_ids(ACCOUNT_ID, OPERATION_ID) == (ACCOUNT_ID, OPERATION_ID)
    with pytest.raises(ValidationError) as info:
        validate_ids("bad", "../x")
    assert info.value.parameter == "account_id"
    with pytest.raises(ValidationError) as info:
        validate_ids(ACCOUNT_ID, "../x")
    assert info.value.parameter == "operation_id"


def test_validation_error_is_a_value_error_and_a_product_error():
    with pytest.raises(ValidationError) as info:
        validate_operation_id("../x")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, CloudflareListsError)
    assert info.value.details() == {"error_type": "ValidationError"}


def test_describe_value_is_bounded_and_one_line():
    assert describe_value("abc") == "'abc'"
    long = describe_value("x\n" * 500)
    assert len(long) == 80
    assert long.endswith("...")
    assert "\n" not in long


# --- no request is made for a bad id ------------------------------------------------------------


def _client(clock):
    return CloudflareClient(Credentials(api_token=TOKEN), clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize("bad", ["../../user/tokens", "abc%2fdef", "abc def", "", None, 42])
@responses.activate
def test_bad_operation_id_sends_no_request_from_the_client(bad, clock):
    with pytest.raises(ValidationError, match="operation_id"):
        _client(clock).get_bulk_operation(ACCOUNT_ID, bad)
    assert len(responses.calls) == 0


@pytest.mark.parametrize("bad", ["../../user/tokens", "abc%2fdef", "abc def", "", None, 42])
@responses.activate
def test_bad_account_id_sends_no_request_from_the_client(bad, clock):
    with pytest.raises(ValidationError, match="account_id"):
        _client(clock).get_bulk_operation(bad, OPERATION_ID)
    assert len(responses.calls) == 0


@pytest.mark.parametrize("bad", ["../x", "a%2fb", " ", None])
@responses.activate
def test_bad_operation_id_sends_no_request_while_waiting(bad, clock):
    with pytest.raises(ValidationError, match="operation_id"):
        wait_for_bulk_operation(_client(clock), ACCOUNT_ID, bad)
    assert len(responses.calls) == 0
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"account_id": ACCOUNT_ID, "operation_id": "../x"}, "operation_id"),
        ({"account_id": "../x", "operation_id": OPERATION_ID}, "account_id"),
        ({"operation_id": OPERATION_ID}, "account_id"),
        ({"account_id": ACCOUNT_ID}, "operation_id"),
    ],
)
@responses.activate
def test_bad_ids_of_an_operation_are_refused_before_any_request_or_credentials(params, parameter):
    # What every adapter does first: name the operation, before it opens a client (credentials) or sends anything.
    with pytest.raises(ValidationError) as info:
        resolve_operation(params.get("account_id"), params.get("operation_id"), environ={})
    assert info.value.parameter == parameter
    assert len(responses.calls) == 0


# --- base_url -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://api.cloudflare.com/client/v4", "https://api.cloudflare.com/client/v4"),
        ("https://api.cloudflare.com/client/v4/", "https://api.cloudflare.com/client/v4"),
        ("  https://api.cloudflare.com/client/v4  ", "https://api.cloudflare.com/client/v4"),
        ("HTTPS://API.example.com:8443/v4", "HTTPS://API.example.com:8443/v4"),
        ("http://127.0.0.1:8787/client/v4", "http://127.0.0.1:8787/client/v4"),
        ("http://127.10.20.30", "http://127.10.20.30"),
        ("http://[::1]:8787/", "http://[::1]:8787"),
        ("http://localhost:8787", "http://localhost:8787"),
        ("http://LocalHost", "http://LocalHost"),
        ("https://10.0.0.1/v4", "https://10.0.0.1/v4"),
        ("https://api.cloudflare.com./client/v4", "https://api.cloudflare.com./client/v4"),
        ("https://xn--bcher-kva.example:65535/v4", "https://xn--bcher-kva.example:65535/v4"),
        ("https://cf_proxy.internal:1/v4", "https://cf_proxy.internal:1/v4"),
    ],
)
def test_base_url_https_anywhere_and_http_on_loopback_are_accepted(value, expected):
    assert validate_base_url(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "expected an http(s) URL"),
        (42, "expected an http(s) URL"),
        ("", "expected an http(s) URL"),
        ("   ", "expected an http(s) URL"),
        ("api.cloudflare.com/client/v4", "expected an http(s) URL"),
        ("ftp://api.cloudflare.com", "expected an http(s) URL"),
        ("https://", "expected an http(s) URL"),
        ("https:///client/v4", "expected an http(s) URL"),
        ("https://[::1", "expected an http(s) URL"),
        ("http://api.cloudflare.com/client/v4", "plain http"),
        ("http://10.0.0.1:8787", "plain http"),
        ("http://0.0.0.0:8787", "plain http"),
        ("http://localhost.evil.example", "plain http"),
        ("http://127.0.0.1.evil.example", "plain http"),
        ("https://user:pass@api.cloudflare.com", "credentials must not be embedded"),
        ("https://user@api.cloudflare.com", "credentials must not be embedded"),
        ("https://:secret@api.cloudflare.com", "credentials must not be embedded"),
        ("http://localhost@evil.example", "credentials must not be embedded"),
        ("https://api.cloudflare.com/client/v4?x=1", "no query string or fragment"),
        ("https://api.cloudflare.com/client/v4?", "no query string or fragment"),
        ("https://api.cloudflare.com/client/v4#frag", "no query string or fragment"),
        ("https://api.cloudflare.com/client/v4#", "no query string or fragment"),
        # Hostile URLs that used to pass and fail late (exit 4), or retry name resolution for 70 s:
        ("http://127.0.0.1:99999/client/v4", "Port out of range"),
        ("http://127.0.0.1:0/client/v4", "expected a port from 1 to 65535, got 0"),
        ("http://127.0.0.1:http/client/v4", "Port could not be cast"),
        ("https://api.cloudflare.com:-1/client/v4", "Port"),
        ("https://api .cloudflare.com/client/v4", "contains spaces, control or non-ASCII characters"),
        ("https://api.cloudflare.com\t/client/v4", "contains spaces, control or non-ASCII characters"),
        ("https://api.cloudflare.com\x00/client/v4", "contains spaces, control or non-ASCII characters"),
        ("https://api.cloud\x1b[31mflare.com", "contains spaces, control or non-ASCII characters"),
        ("https://api.cl\u043eudflare.com/client/v4", "xn-- form"),  # a Cyrillic o
        ("https://api.cloudflare.com/client v4", "contains spaces"),
        ("https://-api.cloudflare.com/client/v4", "expected a host name or an IP address, got '-api.cloudflare.com'"),
        ("https://api..cloudflare.com/client/v4", "expected a host name or an IP address"),
        ("https://api.cloudflare.com%2f/client/v4", "expected a host name or an IP address"),
        ("https://" + "a" * 64 + ".example/client/v4", "expected a host name or an IP address"),
        ("https://[fe80::zz]/client/v4", "expected an http(s) URL"),
    ],
)
def test_base_url_refused_naming_base_url(value, problem):
    with pytest.raises(ValidationError) as info:
        validate_base_url(value)
    assert info.value.parameter == "base_url"
    assert str(info.value).startswith("Invalid base_url: ")
    assert problem in str(info.value)


def test_base_url_refusal_never_echoes_embedded_credentials():
    with pytest.raises(ValidationError) as info:
        validate_base_url(f"https://me:{TOKEN}@api.cloudflare.com")
    assert TOKEN not in str(info.value)


@responses.activate
def test_client_refuses_plain_http_to_a_remote_host_before_any_request():
    with pytest.raises(ValidationError, match="base_url"):
        CloudflareClient(Credentials(api_token=TOKEN), "http://api.cloudflare.com/client/v4")
    assert len(responses.calls) == 0


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(1, 1.0), (0.25, 0.25), (900, 900.0)])
def test_positive_number_accepts_ints_and_floats(value, expected):
    result = validate_positive_number("timeout", value)
    assert result == expected
    assert isinstance(result, float)


def test_positive_number_allows_zero_only_when_asked():
    assert validate_positive_number("wait_timeout", 0, allow_zero=True) == 0.0
    with pytest.raises(ValidationError, match="more than zero"):
        validate_positive_number("timeout", 0)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, "a number of seconds"),
        ("5", "a number of seconds"),
        (None, "a number of seconds"),
        (-1, "zero or more"),
        (float("nan"), "zero or more"),
        (float("inf"), "zero or more"),
        (float("-inf"), "zero or more"),
    ],
)
def test_positive_number_refuses_non_numbers_negatives_nan_and_infinity(value, problem):
    with pytest.raises(ValidationError) as info:
        validate_positive_number("wait_timeout", value, allow_zero=True)
    assert info.value.parameter == "wait_timeout"
    assert problem in str(info.value)
