# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options, documented once for every module (the spec is CONNECTION_ARGUMENT_SPEC in argspec.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - A Cloudflare API token with the C(Account Filter Lists Read) (or C(Account Filter Lists Edit)) permission,
        sent in the C(Authorization) header as a Bearer token. This is the scheme Cloudflare recommends.
      - If not set, and neither O(account_email) nor O(account_api_key) is set, the value of the
        E(CLOUDFLARE_API_TOKEN) environment variable is used, then E(CLOUDFLARE_TOKEN).
      - Mutually exclusive with O(account_email) and O(account_api_key).
      - Ansible never logs this value.
    type: str
  account_email:
    description:
      - The email address of the Cloudflare user, for the legacy global API key scheme
        (sent as C(X-Auth-Email)).
      - If not set, the value of the E(CLOUDFLARE_EMAIL) environment variable is used.
      - Required together with O(account_api_key).
      - Mutually exclusive with O(api_token).
    type: str
  account_api_key:
    description:
      - The global API key of the Cloudflare user, for the legacy scheme (sent as C(X-Auth-Key)).
        Prefer O(api_token).
      - If not set, the value of the E(CLOUDFLARE_API_KEY) environment variable is used.
      - Required together with O(account_email).
      - Mutually exclusive with O(api_token).
      - Ansible never logs this value.
    type: str
  base_url:
    description:
      - The Cloudflare API endpoint, up to and including C(/client/v4).
      - If not set, the value of the E(CLOUDFLARE_BASE_URL) environment variable is used, and without it
        V(https://api.cloudflare.com/client/v4).
      - Must be C(https), except on a loopback address (V(127.0.0.1), V(::1), V(localhost)) where plain
        C(http) is accepted, for a local emulator. Credentials are never sent in clear over a network,
        and redirects are never followed.
      - Plain C(http) never goes through a proxy (E(HTTP_PROXY) and E(ALL_PROXY) are ignored for it).
        C(https) honours E(HTTPS_PROXY), E(ALL_PROXY) and E(NO_PROXY) through a C(CONNECT) tunnel, so a proxy
        sees the host name, never the credentials.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(base_url).
      - Set to V(false) only for a test endpoint with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - The most seconds one HTTP request may take, from connecting to the last byte of the answer. When the
        module waits, a request gets at most the time left before the end of the wait (but at least a second).
        At most V(600).
      - Transient failures (connection errors, HTTP 429 and 5xx) are retried a few times with backoff,
        honouring C(Retry-After); a request that timed out is not. When the module waits, no retry runs past
        the end of the wait.
    type: float
    default: 30
requirements:
  - requests
notes:
  - Credentials come either from the options or from the E(CLOUDFLARE_*) environment variables of the host
    that runs the module. Options given to a task take precedence, and a scheme given explicitly hides
    the other scheme's environment variables, so a token passed to a task does not conflict with a key
    exported in the shell.
  - Do not pass a token through a task's C(environment) keyword, because Ansible prints the environment it
    sets for a module at C(-vvv), token included. Use O(api_token), which is never logged, or export
    E(CLOUDFLARE_API_TOKEN) on the controller and delegate the task to localhost.
"""
