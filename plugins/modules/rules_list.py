#!/usr/bin/python
# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: E402  (Ansible wants the imports below DOCUMENTATION, EXAMPLES and RETURN)

from __future__ import annotations

DOCUMENTATION = r"""
module: rules_list
short_description: Manage a Cloudflare Rules List and, optionally, all of its items
version_added: 0.2.0
description:
  - Makes sure a Rules List (of IP addresses, hostnames, ASNs or redirects) exists with the given description, or
    does not exist.
  - With O(items), also makes the list hold exactly those items (or, with O(purge_items=false), at least those).
    Only what changes is written; additions and updates in one write, then removals in another, each applied by
    Cloudflare as a bulk operation that the module waits for; then the changed items are read back and checked.
    Items that stay keep their IDs, and items another writer adds meanwhile are not lost.
  - The list is found by its name in the account. A name that two lists share fails the task and names their IDs.
  - Items are compared in the form Cloudflare stores them, so a second run with the same input changes nothing.
  - In check mode nothing is written, and C(changed), RV(plan) and the diff say exactly what a real run would do.
author:
  - EdgeOps (@edgeops)
options:
  name:
    description:
      - The name of the list. Letters, digits and C(_), at most 50 characters.
    type: str
    required: true
  kind:
    description:
      - What the list holds.
      - Required to create the list. A list's kind can't change, so a different O(kind) for an existing list fails
        the task.
    type: str
    choices: [ip, hostname, asn, redirect]
  description:
    description:
      - The description of the list, at most 500 characters.
      - If not set, an existing list keeps its description, and a new list gets none.
    type: str
  state:
    description:
      - V(present) creates the list if it is missing, and updates its description and items.
      - V(absent) deletes the list, with all its items. A list that rules still use is not deleted; the task
        fails and says so.
    type: str
    choices: [present, absent]
    default: present
  purge_items:
    description:
      - Only with O(items). With V(true), the list holds exactly O(items) afterwards; every other item is
        removed. An empty O(items) fails the task unless O(allow_empty=true). With V(false), missing items are
        added and changed comments updated, and other items are left alone.
      - Without O(items), the list's items are left alone, whatever this is.
    type: bool
    default: true
  allow_empty:
    description:
      - With O(purge_items=true), let an empty O(items) remove every item of the list.
      - By default an empty O(items) fails the task before anything is written, since it is more often a feed
        that failed to download, or an empty export, than a wish to empty the list.
    type: bool
    default: false
extends_documentation_fragment:
  - edgeops.cloudflare_lists.common.writes
  - edgeops.cloudflare_lists.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - edgeops.cloudflare_lists.account
  - edgeops.cloudflare_lists.auth
  - edgeops.cloudflare_lists.items
  - edgeops.cloudflare_lists.wait.writes
attributes:
  check_mode:
    details: The module reads the list and its items, plans, and sends no write.
  diff_mode:
    details: The diff shows the description and, with O(items), the items before and after, in canonical form.
notes:
  - A write that got no answer (a timeout, an HTTP 5xx) may have been applied; the module then reads the list
    again and plans anew instead of sending it again.
seealso:
  - module: edgeops.cloudflare_lists.rules_list_items
    description: Add or remove some items of a list that others also write.
"""

EXAMPLES = r"""
- name: Keep a blocklist holding exactly these addresses
  edgeops.cloudflare_lists.rules_list:
    account_id: "{{ account_id }}"
    name: blocklist
    kind: ip
    description: Addresses blocked at the edge
    items:
      - 192.0.2.1
      - ip: 198.51.100.0/24
        comment: scanner, ticket 4711
      - 2001:db8::/48

- name: Add addresses, leaving the list's other items alone
  edgeops.cloudflare_lists.rules_list:
    name: blocklist
    items: "{{ new_addresses }}"
    purge_items: false

- name: Keep a list of hostnames
  edgeops.cloudflare_lists.rules_list:
    name: partner_hosts
    kind: hostname
    items:
      - example.com
      - url_hostname: "*.example.net"
        exclude_exact_hostname: false
        comment: every subdomain, and the domain itself

- name: Keep redirects
  edgeops.cloudflare_lists.rules_list:
    name: old_urls
    kind: redirect
    items:
      - source_url: example.com/old
        target_url: https://example.com/new
        status_code: 308

- name: Only set the description of an existing list
  edgeops.cloudflare_lists.rules_list:
    name: blocklist
    description: Managed by Ansible

- name: Delete a list
  edgeops.cloudflare_lists.rules_list:
    name: blocklist
    state: absent
"""

# RETURN is written by tools/module_docs.py (make docs) from docs/module_returns.yml: edit it there.
RETURN = r"""
list:
  description:
    - The list after the task.
    - V(null) once deleted.
    - In check mode, for a list still to create, the list as the real run would create it, with the same keys
      (a prediction, not facts). RV(list.name), RV(list.kind) and RV(list.description) are as given,
      RV(list.num_items) is the number of items it would hold, RV(list.num_referencing_filters) is V(0), and
      RV(list.id), RV(list.created_on) and RV(list.modified_on) are V(null), as Cloudflare sets them on creation.
  returned: always
  type: dict
  contains:
    id:
      description: The list's ID.
      returned: always
      type: str
      sample: 2c0fc9fa937b11eaa1b71c4d701ab86e
    name:
      description: The list's name.
      returned: always
      type: str
      sample: blocklist
    description:
      description: The list's description (empty when it has none).
      returned: always
      type: str
      sample: Addresses blocked at the edge
    num_items:
      description: How many items the list holds, as Cloudflare counts them.
      returned: always
      type: int
      sample: 3
    num_referencing_filters:
      description: How many rules use the list.
      returned: always
      type: int
      sample: 0
    created_on:
      description: When the list was created, in UTC, as RFC 3339.
      returned: always
      type: str
      sample: "2024-05-01T08:00:00Z"
    modified_on:
      description: When the list or its items last changed, in UTC, as RFC 3339.
      returned: always
      type: str
      sample: "2024-05-01T08:00:05Z"
    kind:
      description: What the list holds.
      returned: always
      type: str
      sample: ip
plan:
  description:
    - What the write of the items changed (in check mode, would change), in canonical form.
    - V(null) without O(items), and with O(state=absent).
  returned: always
  type: dict
  contains:
    add:
      description: Items added.
      returned: always
      type: list
      elements: dict
      sample: [{ip: 192.0.2.1}]
    update:
      description:
        - Items whose comment (or, for hostnames and redirects, settings) changed, in their new form.
        - Jinja's dot notation finds the dictionary's C(update) method instead, so read it as C(plan['update'])
          or as RV(plan.change).
      returned: always
      type: list
      elements: dict
      sample: [{ip: 198.51.100.0/24, comment: "scanner, ticket 4711"}]
    change:
      description: The same as RV(plan.update), under a name that Jinja's dot notation reaches (C(plan.change)).
      returned: always
      type: list
      elements: dict
      sample: [{ip: 198.51.100.0/24, comment: "scanner, ticket 4711"}]
      version_added: 0.2.0
    remove:
      description: Items removed.
      returned: always
      type: list
      elements: dict
      sample: [{ip: 203.0.113.7}]
    writes:
      description:
        - The requests that carry out the plan, in order, each with its C(method) (V(POST) adds and updates,
          V(DELETE) removes by id, V(PUT) replaces every item, only when no item stays) and its number of C(items).
        - In check mode, the requests a real run would send.
      returned: always
      type: list
      elements: dict
      sample: [{method: POST, items: 2}, {method: DELETE, items: 1}]
writes:
  description:
    - The writes sent, in order, each with its C(method), its number of C(items), and the facts of its bulk
      C(operation).
    - Empty when nothing was written.
    - On failure, the writes sent before it, each operation as last seen (perhaps still pending); with them
      RV(list), RV(plan) and RV(items_written), and C(changed) true when the task created the list or a write
      was applied.
  returned: always
  type: list
  elements: dict
  sample:
    - method: POST
      items: 2
      operation:
        id: 4da8780eeb215e6cb7f48dd981c4ea02
        status: completed
        finished: true
        succeeded: true
        completed_at: "2024-05-01T08:00:05Z"
        error: null
items_written:
  description:
    - How many items the writes sent added, updated or removed; what counts against Cloudflare's 12-hour quota
      of item changes.
  returned: always
  type: int
  sample: 3
bulk_operation:
  description:
    - The facts of the last bulk operation that applied a write, as
      P(edgeops.cloudflare_lists.bulk_operation_info#module) returns them; every write's are in RV(writes).
    - V(null) when nothing was written (no change, check mode, or no O(items)).
  returned: always
  type: dict
  sample:
    id: 4da8780eeb215e6cb7f48dd981c4ea02
    status: completed
    finished: true
    succeeded: true
    completed_at: "2024-05-01T08:00:05Z"
    error: null
diff:
  description:
    - The list's description and, with O(items), its canonical items, before and after.
  returned: in diff mode
  type: dict
  sample:
    before: {description: "", items: [{ip: 192.0.2.1}]}
    after: {description: "", items: [{ip: 192.0.2.1}, {ip: 198.51.100.0/24}]}
error_type:
  description:
    - The kind of failure, for branching on it without parsing C(msg), for example V(ValidationError) (invalid
      input, nothing was sent), V(ConflictError) (two lists share the name, the kind differs, or rules use the
      list), V(OperationFailedError) (Cloudflare refused the items; the list is as it was),
      V(VerificationError), V(WaitTimeoutError) or V(AuthenticationError).
  returned: on failure
  type: str
  sample: OperationFailedError
http_status:
  description: The HTTP status of Cloudflare's last answer, when it was an error.
  returned: on failure, when Cloudflare answered with an error
  type: int
  sample: 403
cloudflare_errors:
  description: The C(errors) array of Cloudflare's answer, each with C(code) and C(message).
  returned: on failure, when Cloudflare listed errors
  type: list
  elements: dict
  sample: [{code: 10000, message: Authentication error}]
"""

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_module import CloudflareListsModule
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_writes import (
    failure_result,
    items_result,
    sync_options,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.argspec import (
    ITEMS_ARGUMENT_SPEC,
    WRITE_WAIT_ARGUMENT_SPEC,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import EXACT, KINDS, PRESENT
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import list_result
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_list

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "kind": {"type": "str", "choices": list(KINDS)},
    "description": {"type": "str"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "purge_items": {"type": "bool", "default": True},
    "allow_empty": {"type": "bool", "default": False},
}


def argument_spec():
    return CloudflareListsModule.full_argument_spec(
        dict(ARGUMENT_SPEC, **ITEMS_ARGUMENT_SPEC), wait=WRITE_WAIT_ARGUMENT_SPEC
    )


def run(module):
    params = module.params
    with module.client() as client:
        outcome = sync_list(
            client,
            module.account_id(),
            params["name"],
            kind=params["kind"],
            description=params["description"],
            items=params["items"],
            mode=EXACT if params["purge_items"] else PRESENT,
            state=params["state"],
            options=sync_options(module, allow_empty=params["allow_empty"]),
        )
    result = {
        "changed": outcome.changed,
        "list": list_result(outcome.list, outcome.planned_list),
        **items_result(outcome.items),
    }
    if module.diff_mode:
        result["diff"] = outcome.diff()
    return result


def main():
    CloudflareListsModule(dict(ARGUMENT_SPEC, **ITEMS_ARGUMENT_SPEC), account=True, wait=WRITE_WAIT_ARGUMENT_SPEC).run(
        run, failure_result
    )


if __name__ == "__main__":
    main()
