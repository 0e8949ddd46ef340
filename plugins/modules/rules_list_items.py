#!/usr/bin/python
# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: E402  (Ansible wants the imports below DOCUMENTATION, EXAMPLES and RETURN)

from __future__ import annotations

DOCUMENTATION = r"""
module: rules_list_items
short_description: Add or remove some items of a Cloudflare Rules List, leaving the others alone
version_added: 0.2.0
description:
  - For a list that others also write (another team, a script, the dashboard), makes sure the given items are in
    it (O(state=present)) or not in it (O(state=absent)), and touches no other item.
  - The change is one write, applied by Cloudflare as one bulk operation, which the module waits for and then
    checks by reading the list back.
  - Items are compared in the form Cloudflare stores them, so a second run with the same input changes nothing.
  - In check mode nothing is written, and C(changed), RV(plan) and the diff say exactly what a real run would do.
  - To manage the list itself, or all of its items, use M(edgeops.cloudflare_lists.rules_list).
author:
  - EdgeOps (@edgeops)
options:
  list:
    description:
      - The list, by its ID (32 hexadecimal characters) or its name. A value that looks like an ID is tried as
        one first.
      - The list must exist. A name that two lists share fails the task and names their IDs.
    type: str
    required: true
  items:
    required: true
  state:
    description:
      - V(present) adds the items that are missing, and updates those whose comment differs.
      - V(absent) removes the items that are in the list; their comments are ignored.
    type: str
    choices: [present, absent]
    default: present
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
    details: The module reads the list's items, plans, and sends no write.
  diff_mode:
    details: The diff shows the list's canonical items before and after.
notes:
  - Pass all the items in one task rather than looping over them; each task is one write and one bulk operation.
seealso:
  - module: edgeops.cloudflare_lists.rules_list
    description: Manage a list and, optionally, exactly all of its items.
"""

EXAMPLES = r"""
- name: Block two more addresses, whatever else the list holds
  edgeops.cloudflare_lists.rules_list_items:
    account_id: "{{ account_id }}"
    list: blocklist
    items:
      - ip: 203.0.113.7
        comment: incident 2024-117
      - 203.0.113.8

- name: Unblock them again
  edgeops.cloudflare_lists.rules_list_items:
    list: blocklist
    items: [203.0.113.7, 203.0.113.8]
    state: absent

- name: Send the write without waiting for Cloudflare to apply it
  edgeops.cloudflare_lists.rules_list_items:
    list: 2c0fc9fa937b11eaa1b71c4d701ab86e
    items: [13335]
    wait: false
  register: write

- name: Wait for it later
  edgeops.cloudflare_lists.bulk_operation_info:
    operation_id: "{{ write.bulk_operation.id }}"
    wait: true
  when: write.bulk_operation
"""

# RETURN is written by tools/module_docs.py (make docs) from docs/module_returns.yml: edit it there.
RETURN = r"""
list:
  description:
    - The list after the task.
  returned: always
  type: dict
  sample:
    id: 2c0fc9fa937b11eaa1b71c4d701ab86e
    name: blocklist
    kind: ip
    description: Addresses blocked at the edge
    num_items: 42
    num_referencing_filters: 1
    created_on: "2024-05-01T08:00:00Z"
    modified_on: "2024-05-01T08:00:05Z"
plan:
  description:
    - What the write changed (in check mode, would change), in canonical form.
  returned: always
  type: dict
  contains:
    add:
      description: Items added.
      returned: always
      type: list
      elements: dict
      sample: [{ip: 203.0.113.7, comment: incident 2024-117}]
    update:
      description:
        - Items whose comment (or, for hostnames and redirects, settings) changed, in their new form.
        - Jinja's dot notation finds the dictionary's C(update) method instead, so read it as C(plan['update'])
          or as RV(plan.change).
      returned: always
      type: list
      elements: dict
      sample: []
    change:
      description: The same as RV(plan.update), under a name that Jinja's dot notation reaches (C(plan.change)).
      returned: always
      type: list
      elements: dict
      sample: []
      version_added: 0.2.0
    remove:
      description: Items removed.
      returned: always
      type: list
      elements: dict
      sample: []
    writes:
      description:
        - The requests that carry out the plan, in order, each with its C(method) (V(POST) adds and updates,
          V(DELETE) removes by id, V(PUT) replaces every item, only when no item stays) and its number of C(items).
        - In check mode, the requests a real run would send.
      returned: always
      type: list
      elements: dict
      sample: [{method: POST, items: 1}]
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
      items: 1
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
  sample: 1
bulk_operation:
  description:
    - The facts of the last bulk operation that applied a write, as
      P(edgeops.cloudflare_lists.bulk_operation_info#module) returns them; every write's are in RV(writes).
    - V(null) when nothing was written (no change, or check mode).
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
  description: The list's canonical items, before and after.
  returned: in diff mode
  type: dict
  sample:
    before: {items: [{ip: 192.0.2.1}]}
    after: {items: [{ip: 192.0.2.1}, {ip: 203.0.113.7, comment: incident 2024-117}]}
error_type:
  description:
    - The kind of failure, for branching on it without parsing C(msg), for example V(ValidationError) (invalid
      input, nothing was sent), V(NotFoundError) (no such list), V(ConflictError) (two lists share the name),
      V(OperationFailedError) (Cloudflare refused the items; the list is as it was), V(VerificationError) or
      V(WaitTimeoutError).
  returned: on failure
  type: str
  sample: NotFoundError
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
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import ABSENT, PRESENT
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import list_result
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import sync_items

ARGUMENT_SPEC = {
    "list": {"type": "str", "required": True},
    "items": dict(ITEMS_ARGUMENT_SPEC["items"], required=True),
    "max_removals": ITEMS_ARGUMENT_SPEC["max_removals"],
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}


def argument_spec():
    return CloudflareListsModule.full_argument_spec(ARGUMENT_SPEC, wait=WRITE_WAIT_ARGUMENT_SPEC)


def run(module):
    params = module.params
    with module.client() as client:
        facts, outcome = sync_items(
            client,
            module.account_id(),
            params["list"],
            params["items"],
            PRESENT if params["state"] == "present" else ABSENT,
            options=sync_options(module),
        )
    result = {
        "changed": outcome.changed,
        "list": list_result(facts, outcome.planned_list),
        **items_result(outcome),
    }
    if module.diff_mode:
        items_diff = outcome.plan.diff()
        result["diff"] = {"before": {"items": items_diff["before"]}, "after": {"items": items_diff["after"]}}
    return result


def main():
    CloudflareListsModule(ARGUMENT_SPEC, wait=WRITE_WAIT_ARGUMENT_SPEC).run(run, failure_result)


if __name__ == "__main__":
    main()
