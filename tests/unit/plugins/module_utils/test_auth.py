"""auth: exactly one scheme, explicit values first, CLOUDFLARE_* fallbacks, secrets never shown."""

from __future__ import annotations

import pytest
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import (
    DEFAULT_BASE_URL,
    Credentials,
    environment_secrets,
    resolve_base_url,
    resolve_credentials,
    url_secrets,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import API_KEY, EMAIL, TOKEN

OTHER_TOKEN = "other-token-0000000000000000000000000000"
OTHER_KEY = "other-key-00000000000000000000000000"


def test_token_is_sent_as_bearer():
    creds = resolve_credentials(api_token=TOKEN, environ={})
    assert creds == Credentials(api_token=TOKEN)
    assert creds.headers() == {"Authorization": f"Bearer {TOKEN}"}
    assert creds.scheme == "api_token"
    assert creds.secrets() == (TOKEN,)


def test_email_and_key_are_sent_as_x_auth_headers():
    creds = resolve_credentials(email=EMAIL, api_key=API_KEY, environ={})
    assert creds.headers() == {"X-Auth-Email": EMAIL, "X-Auth-Key": API_KEY}
    assert "Authorization" not in creds.headers()
    assert creds.scheme == "api_key"
    assert creds.secrets() == (API_KEY,)


def test_bare_credentials_without_values_send_empty_x_auth_headers():
    assert Credentials().headers() == {"X-Auth-Email": "", "X-Auth-Key": ""}
    assert Credentials().secrets() == ()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_token": TOKEN, "email": EMAIL, "api_key": API_KEY},
        {"api_token": TOKEN, "email": EMAIL},
        {"api_token": TOKEN, "api_key": API_KEY},
    ],
)
def test_explicit_token_and_explicit_key_scheme_together_are_an_error(kwargs):
    with pytest.raises(ValidationError) as info:
        resolve_credentials(environ={}, **kwargs)
    assert info.value.parameter == "credentials"
    assert "not both" in str(info.value)
    assert TOKEN not in str(info.value)
    assert API_KEY not in str(info.value)


@pytest.mark.parametrize("name", ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_TOKEN"])
def test_token_falls_back_to_the_environment(name):
    creds = resolve_credentials(environ={name: TOKEN})
    assert creds == Credentials(api_token=TOKEN)


def test_cloudflare_api_token_wins_over_cloudflare_token():
    creds = resolve_credentials(environ={"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_TOKEN": OTHER_TOKEN})
    assert creds.api_token == TOKEN


def test_empty_environment_token_is_ignored():
    creds = resolve_credentials(environ={"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_TOKEN": TOKEN})
    assert creds.api_token == TOKEN


def test_email_and_key_fall_back_to_the_environment():
    creds = resolve_credentials(environ={"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": API_KEY})
    assert creds == Credentials(email=EMAIL, api_key=API_KEY)


def test_environment_token_is_preferred_over_environment_key_pair():
    environ = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": API_KEY}
    assert resolve_credentials(environ=environ) == Credentials(api_token=TOKEN)


def test_explicit_token_shadows_a_key_pair_in_the_environment():
    environ = {"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": API_KEY}
    assert resolve_credentials(api_token=TOKEN, environ=environ) == Credentials(api_token=TOKEN)


def test_explicit_token_wins_over_environment_token():
    creds = resolve_credentials(api_token=TOKEN, environ={"CLOUDFLARE_API_TOKEN": OTHER_TOKEN})
    assert creds.api_token == TOKEN


def test_explicit_key_pair_shadows_a_token_in_the_environment():
    creds = resolve_credentials(email=EMAIL, api_key=API_KEY, environ={"CLOUDFLARE_API_TOKEN": TOKEN})
    assert creds == Credentials(email=EMAIL, api_key=API_KEY)


def test_explicit_key_pair_wins_over_environment_key_pair():
    environ = {"CLOUDFLARE_EMAIL": "env@example.com", "CLOUDFLARE_API_KEY": OTHER_KEY}
    creds = resolve_credentials(email=EMAIL, api_key=API_KEY, environ=environ)
    assert creds == Credentials(email=EMAIL, api_key=API_KEY)


def test_explicit_email_is_completed_by_the_key_in_the_environment():
    creds = resolve_credentials(email=EMAIL, environ={"CLOUDFLARE_API_KEY": API_KEY, "CLOUDFLARE_API_TOKEN": TOKEN})
    assert creds == Credentials(email=EMAIL, api_key=API_KEY)


def test_explicit_key_is_completed_by_the_email_in_the_environment():
    creds = resolve_credentials(api_key=API_KEY, environ={"CLOUDFLARE_EMAIL": EMAIL})
    assert creds == Credentials(email=EMAIL, api_key=API_KEY)


@pytest.mark.parametrize(
    ("kwargs", "environ", "missing"),
    [
        ({"email": EMAIL}, {}, "account_api_key (or CLOUDFLARE_API_KEY)"),
        ({"api_key": API_KEY}, {}, "account_email (or CLOUDFLARE_EMAIL)"),
        ({}, {"CLOUDFLARE_EMAIL": EMAIL}, "account_api_key (or CLOUDFLARE_API_KEY)"),
        ({}, {"CLOUDFLARE_API_KEY": API_KEY}, "account_email (or CLOUDFLARE_EMAIL)"),
        # An explicit half pair means the key scheme was chosen: an environment token does not rescue it.
        ({"email": EMAIL}, {"CLOUDFLARE_API_TOKEN": TOKEN}, "account_api_key (or CLOUDFLARE_API_KEY)"),
    ],
)
def test_half_a_key_pair_is_an_error_naming_the_missing_half(kwargs, environ, missing):
    with pytest.raises(ValidationError) as info:
        resolve_credentials(environ=environ, **kwargs)
    assert info.value.parameter == "credentials"
    assert f"{missing} is missing" in str(info.value)
    assert API_KEY not in str(info.value)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "environ",
    [{}, {"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_EMAIL": "", "CLOUDFLARE_API_KEY": ""}, {"UNRELATED": "x"}],
)
def test_no_credentials_anywhere_is_an_error_that_says_what_to_set(environ):
    with pytest.raises(ValidationError) as info:
        resolve_credentials(environ=environ)
    assert info.value.parameter == "credentials"
    message = str(info.value)
    assert "no Cloudflare credentials found" in message
    for name in ("api_token", "CLOUDFLARE_API_TOKEN", "account_email", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        assert name in message


def test_empty_explicit_values_count_as_not_given():
    creds = resolve_credentials(api_token="", email="", api_key="", environ={"CLOUDFLARE_API_TOKEN": TOKEN})
    assert creds.api_token == TOKEN


def test_os_environ_is_used_when_no_environ_is_passed(monkeypatch):
    for name in ("CLOUDFLARE_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "https://cf.example.com/v4")
    assert resolve_credentials().api_token == TOKEN
    assert resolve_base_url() == "https://cf.example.com/v4"


@pytest.mark.parametrize(
    "creds",
    [
        Credentials(api_token=TOKEN),
        Credentials(email=EMAIL, api_key=API_KEY),
        resolve_credentials(environ={"CLOUDFLARE_API_TOKEN": TOKEN}),
    ],
)
def test_credentials_repr_and_str_never_show_secrets(creds):
    for text in (repr(creds), str(creds), f"{creds}", repr([creds]), repr({"c": creds})):
        assert TOKEN not in text
        assert API_KEY not in text


def test_credentials_repr_still_shows_the_non_secret_email():
    assert EMAIL in repr(Credentials(email=EMAIL, api_key=API_KEY))


# --- base_url -----------------------------------------------------------------------------------


def test_base_url_defaults_to_cloudflare():
    assert resolve_base_url(environ={}) == DEFAULT_BASE_URL == "https://api.cloudflare.com/client/v4"


def test_base_url_falls_back_to_cloudflare_base_url():
    assert resolve_base_url(environ={"CLOUDFLARE_BASE_URL": "http://127.0.0.1:8787/v4/"}) == "http://127.0.0.1:8787/v4"


def test_explicit_base_url_wins_over_the_environment():
    environ = {"CLOUDFLARE_BASE_URL": "https://env.example.com"}
    assert resolve_base_url("https://explicit.example.com", environ=environ) == "https://explicit.example.com"


def test_base_url_from_the_environment_is_validated_too():
    with pytest.raises(ValidationError) as info:
        resolve_base_url(environ={"CLOUDFLARE_BASE_URL": "http://api.example.com"})
    assert info.value.parameter == "base_url"


@pytest.mark.parametrize("field", ["api_token", "email", "api_key"])
@pytest.mark.parametrize("bad", ["s3cr3t\rX", "s3cr3t\nX", "s3cr3t X", "s3cr3t\u20acX", "s3cr3t\x00X", "   "])
def test_credentials_that_cannot_be_a_header_value_are_refused_without_echoing_them(field, bad):
    values = {"api_token": None, "email": None, "api_key": None, field: bad}
    with pytest.raises(ValidationError) as info:
        Credentials(**values)
    assert (
        info.value.parameter
        == {"api_token": "api_token", "email": "account_email", "api_key": "account_api_key"}[field]
    )
    assert "s3cr3t" not in str(info.value)


def test_surrounding_whitespace_of_a_credential_read_from_a_file_is_dropped():
    assert Credentials(api_token=" tok-123\r\n").headers() == {"Authorization": "Bearer tok-123"}
    legacy = Credentials(email="me@example.com\n", api_key="\tkey-1 ")
    assert legacy.headers() == {"X-Auth-Email": "me@example.com", "X-Auth-Key": "key-1"}


def test_environment_secrets_cover_every_form_a_message_could_quote():
    environ = {"CLOUDFLARE_API_TOKEN": "tok-1\r", "CLOUDFLARE_API_KEY": "key-2", "CLOUDFLARE_EMAIL": "me@example.com"}
    assert environment_secrets(environ) == ("tok-1\r", "tok-1\\r", "tok-1", "key-2")


def test_environment_secrets_include_json_escaped_forms():
    environ = {"CLOUDFLARE_API_TOKEN": 'a/b"c\\d'}
    assert environment_secrets(environ) == ('a/b"c\\d', 'a/b"c\\\\d', 'a/b\\"c\\\\d', 'a\\/b\\"c\\\\d')


def test_environment_secrets_are_empty_without_credentials():
    assert environment_secrets({"CLOUDFLARE_EMAIL": "me@example.com"}) == ()


@pytest.mark.parametrize(
    ("url", "forms"),
    [
        ("https://me:pa55-word@api.example.com/client/v4", ("me:pa55-word", "pa55-word")),
        ("https://tok3n-only@api.example.com", ("tok3n-only",)),
        ("https://a:b:c@host@api.example.com", ("a:b:c@host", "b:c@host")),
        ("https://[::1:oops@api.example.com", ("[::1:oops", ":1:oops")),
        ("https://api.example.com/client/v4", ()),
        (None, ()),
    ],
)
def test_url_secrets_are_the_userinfo_and_its_password(url, forms):
    assert url_secrets(url) == forms


def test_environment_secrets_include_a_base_url_userinfo():
    environ = {"CLOUDFLARE_BASE_URL": "https://me:pa55-word@api.example.com"}
    assert environment_secrets(environ) == ("me:pa55-word", "pa55-word")
