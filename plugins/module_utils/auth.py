# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials and where to send them (the base URL, the account), resolved once from explicit values and the
environment."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import env_names, with_fallback
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import remember_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    validate_account_id,
    validate_base_url,
)

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"

# The names pulumi-cloudflare and the official SDK use; CLOUDFLARE_TOKEN is community.general's.
ENV_API_TOKEN = env_names("api_token")
ENV_EMAIL = env_names("account_email")
ENV_API_KEY = env_names("account_api_key")
ENV_BASE_URL = env_names("base_url")
ACCOUNT_ID_ENV = env_names("account_id")[0]


# Visible ASCII: what an HTTP header value carries unchanged. A token with a stray CR or LF would otherwise be
# refused by the HTTP library in an error that quotes it.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
# Each field, as the parameter it comes from.
_PARAMETER_OF_FIELD = {"api_token": "api_token", "email": "account_email", "api_key": "account_api_key"}


def _first(explicit: Optional[str], names: Tuple[str, ...], environ: Mapping[str, str]) -> Optional[str]:
    if explicit:
        return explicit
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True)
class Credentials:
    """An API token, or the legacy email plus global API key. Never both.

    ``repr`` hides the secrets, so a credential object in a log or traceback leaks nothing.
    """

    api_token: Optional[str] = field(default=None, repr=False)
    email: Optional[str] = None
    api_key: Optional[str] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Surrounding whitespace is how a value read from a file usually arrives; drop it, refuse the rest.
        for name, parameter in _PARAMETER_OF_FIELD.items():
            value = getattr(self, name)
            if value is None:
                continue
            cleaned = value.strip()
            if not _HEADER_SAFE.fullmatch(cleaned):
                raise ValidationError(
                    parameter,
                    "is empty, or contains spaces, control or non-ASCII characters that cannot be sent in an "
                    "HTTP header; check how it was read or pasted (the value is not shown).",
                )
            object.__setattr__(self, name, cleaned)
        # From now on, every message and output of this process is scrubbed of them (see quoting).
        remember_secrets(self.secrets())

    def headers(self) -> Dict[str, str]:
        if self.api_token:
            return {"Authorization": "Bearer " + self.api_token}
        return {"X-Auth-Email": self.email or "", "X-Auth-Key": self.api_key or ""}

    @property
    def scheme(self) -> str:
        return "api_token" if self.api_token else "api_key"

    def secrets(self) -> Tuple[str, ...]:
        """The values to scrub from anything we print."""
        return tuple(value for value in (self.api_token, self.api_key) if value)


def resolve_credentials(
    api_token: Optional[str] = None,
    email: Optional[str] = None,
    api_key: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> Credentials:
    """Pick exactly one auth scheme. Explicit values win; the environment fills in what is missing.

    An explicit scheme shadows the other one in the environment, so a token given to a task does not
    conflict with a key exported in the shell. With only the environment, the token is preferred,
    as Cloudflare recommends.
    """
    env = os.environ if environ is None else environ
    if api_token and (email or api_key):
        raise ValidationError("credentials", "give either api_token, or account_email with account_api_key, not both.")
    if api_token:
        return Credentials(api_token=api_token)
    if not (email or api_key):
        token = _first(None, ENV_API_TOKEN, env)
        if token:
            return Credentials(api_token=token)
    mail = _first(email, ENV_EMAIL, env)
    key = _first(api_key, ENV_API_KEY, env)
    if mail and key:
        return Credentials(email=mail, api_key=key)
    if mail or key:
        missing = with_fallback("account_api_key" if mail else "account_email")
        raise ValidationError(
            "credentials",
            f"the global API key scheme needs both account_email and account_api_key; {missing} is missing.",
        )
    raise ValidationError(
        "credentials",
        f"no Cloudflare credentials found. Set {with_fallback('api_token')} to an API token with 'Account Filter "
        f"Lists Read' permission, or {with_fallback('account_email')} and {with_fallback('account_api_key')}.",
    )


def url_secrets(url: Optional[str]) -> Tuple[str, ...]:
    """What to mask in a URL with userinfo (``user:password@``): the userinfo, the password, and a user given
    without a password (often a token). base_url refuses userinfo, but the refused value is still shown (an
    Ansible task's invocation, for one)."""
    if not url or "@" not in url:
        return ()
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    netloc = parts.netloc if parts is not None and parts.netloc else url.split("//", 1)[-1].split("/", 1)[0]
    userinfo = netloc.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    forms = [userinfo, password] if password else [userinfo]
    return tuple(form for form in forms if form)


def environment_secrets(environ: Optional[Mapping[str, str]] = None) -> Tuple[str, ...]:
    """The secrets the environment holds, in every form a message could quote them: as set, stripped, repr- and
    JSON-escaped (``\\/`` included), and the userinfo of a ``CLOUDFLARE_BASE_URL``.

    For the adapters' last line of defence (Ansible's exact-match masking, the command's scrubbing, which also
    catches other spellings); the core itself never prints a credential.
    """
    env = os.environ if environ is None else environ
    forms: List[str] = []
    for name in ENV_API_TOKEN + ENV_API_KEY:
        value = env.get(name)
        if value:
            for raw in (value, value.strip()):
                escaped = json.dumps(raw)[1:-1]
                for form in (raw, repr(raw)[1:-1], escaped, escaped.replace("/", "\\/")):
                    if form and form not in forms:
                        forms.append(form)
    for name in ENV_BASE_URL:
        forms.extend(form for form in url_secrets(env.get(name)) if form not in forms)
    return tuple(forms)


def resolve_base_url(base_url: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    return validate_base_url(_first(base_url, ENV_BASE_URL, env) or DEFAULT_BASE_URL)


def resolve_account_id(account_id: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The account id given, else ``CLOUDFLARE_ACCOUNT_ID``; validated, lower case."""
    env = os.environ if environ is None else environ
    value = account_id if account_id not in (None, "") else env.get(ACCOUNT_ID_ENV)
    if value in (None, ""):
        raise ValidationError(
            "account_id", f"none given, and {ACCOUNT_ID_ENV} is not set. Give the 32-character account ID."
        )
    return validate_account_id(value.strip().lower() if isinstance(value, str) else value)
