# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account option, documented once for every module that takes it (the spec is ACCOUNT_ARGUMENT_SPEC)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  account_id:
    description:
      - The 32 hexadecimal characters of the Cloudflare account ID that owns the lists.
      - If not set, the value of the E(CLOUDFLARE_ACCOUNT_ID) environment variable is used.
      - It is checked before any request is sent.
    type: str
"""
