# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules' documentation shares beyond their options, written once.

A module lists these before ansible.builtin.action_common_attributes: for an attribute that both document, the
fragment listed first keeps its values (platforms, membership), and notes and links follow the module's own in the
order listed.
"""

from __future__ import annotations


class ModuleDocFragment:
    # Every module.
    DOCUMENTATION = r"""
attributes:
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - edgeops.cloudflare_lists.cloudflare_lists
seealso:
  - name: Rules Lists
    description: Cloudflare's documentation of lists and their limits.
    link: https://developers.cloudflare.com/waf/tools/lists/
"""

    # Modules that only read.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details: The module only reads, so check mode runs it unchanged.
  diff_mode:
    support: none
"""

    # Modules that write items: each details its own check and diff modes.
    WRITES = r"""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The API token needs the C(Account Filter Lists Edit) permission.
  - Cloudflare runs one bulk operation at a time per account. Writes from one process wait for each other; a
    write that meets another process's pending operation (an HTTP 429) is retried a few times, honouring
    C(Retry-After), within O(wait_timeout).
seealso:
  - module: edgeops.cloudflare_lists.rules_list_info
    description: Read lists and their items.
"""
