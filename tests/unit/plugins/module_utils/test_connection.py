"""connection: a client from explicit settings, with the CLOUDFLARE_* environment as fallback."""

from __future__ import annotations

import random

import pytest
import requests
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.retry import DeadlineRetry
from core_testkit import API_KEY, EMAIL, OPERATION_URL, TOKEN


def test_open_client_from_explicit_settings(clock):
    with open_client(TOKEN, base_url="http://127.0.0.1:8787/v4", timeout=5, validate_certs=False, environ={}) as c:
        assert isinstance(c, CloudflareClient)
        assert c.credentials.api_token == TOKEN
        assert c.base_url == "http://127.0.0.1:8787/v4"
        assert c.timeout == 5
        assert c.validate_certs is False


def test_open_client_falls_back_to_the_environment():
    environ = {"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": API_KEY, "CLOUDFLARE_BASE_URL": "https://cf.example"}
    with open_client(environ=environ) as c:
        assert (c.credentials.email, c.credentials.api_key) == (EMAIL, API_KEY)
        assert c.base_url == "https://cf.example"


def test_open_client_passes_clock_sleep_rng_and_session(clock):
    rng = random.Random(1)
    session = requests.Session()
    with open_client(TOKEN, environ={}, session=session, clock=clock, sleep=clock.sleep, rng=rng) as c:
        assert (c.clock, c.sleep, c.rng, c._session) == (clock, clock.sleep, rng, session)


def test_open_client_mounts_its_deadline_bounded_retries_on_a_given_session():
    session = requests.Session()
    with open_client(TOKEN, environ={}, session=session):
        assert isinstance(session.get_adapter(OPERATION_URL).max_retries, DeadlineRetry)


def test_open_client_without_credentials_is_a_validation_error():
    with pytest.raises(ValidationError, match="no Cloudflare credentials"):
        open_client(environ={})
