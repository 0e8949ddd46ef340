#!/usr/bin/python
# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: E402  (Ansible wants the imports below DOCUMENTATION, EXAMPLES and RETURN)

from __future__ import annotations

DOCUMENTATION = r"""
module: rules_list_info
short_description: Read Cloudflare Rules Lists and their items
version_added: 0.2.0
description:
  - Returns the account's Rules Lists, or the one list with a given O(name) or O(id), and with
    O(include_items=true) every item of each list, in the canonical form that
    M(edgeops.cloudflare_lists.rules_list) compares against.
  - It only reads, so it always reports C(changed=false) and runs the same way in check mode.
author:
  - EdgeOps (@edgeops)
options:
  name:
    description:
      - Only the list with this name. No such list returns an empty RV(lists).
      - Mutually exclusive with O(id).
    type: str
  id:
    description:
      - Only the list with this ID (32 hexadecimal characters). No such list returns an empty RV(lists).
      - Mutually exclusive with O(name).
    type: str
  include_items:
    description:
      - Whether to read every item of each list returned, 500 items per request.
    type: bool
    default: false
extends_documentation_fragment:
  - edgeops.cloudflare_lists.common.read_only
  - edgeops.cloudflare_lists.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - edgeops.cloudflare_lists.account
  - edgeops.cloudflare_lists.auth
seealso:
  - module: edgeops.cloudflare_lists.rules_list
    description: Manage a list and its items.
"""

EXAMPLES = r"""
- name: Read every list of the account
  edgeops.cloudflare_lists.rules_list_info:
    account_id: "{{ account_id }}"
  register: account_lists

- name: Read one list with its items
  edgeops.cloudflare_lists.rules_list_info:
    name: blocklist
    include_items: true
  register: blocklist

- name: Show the blocked addresses
  ansible.builtin.debug:
    msg: "{{ blocklist.lists[0]['items'] | map(attribute='ip') | list }}"
  when: blocklist.lists | length == 1
"""

# RETURN is written by tools/module_docs.py (make docs) from docs/module_returns.yml: edit it there.
RETURN = r"""
lists:
  description:
    - The lists, in Cloudflare's order.
    - Empty when no list has the O(name) or O(id) given.
  returned: always
  type: list
  elements: dict
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
      description: What the list holds, V(ip), V(hostname), V(asn) or V(redirect).
      returned: always
      type: str
      sample: ip
    items:
      description:
        - Every item, canonical, in Cloudflare's order, as a dictionary with the list kind's field (C(ip), C(asn),
          C(hostname) or C(redirect)), and C(comment) when it has one.
        - The same shape O(edgeops.cloudflare_lists.rules_list#module:items) accepts, so it can be given back.
        - Jinja's dot notation finds the dictionary's C(items) method instead, so read it as C(lists[0]['items'])
          or as RV(lists[].list_items).
      returned: with O(include_items=true)
      type: list
      elements: dict
      sample: [{ip: 192.0.2.1}, {ip: 198.51.100.0/24, comment: scanner}]
    list_items:
      description: The same as RV(lists[].items), under a name that Jinja's dot notation reaches.
      returned: with O(include_items=true)
      type: list
      elements: dict
      sample: [{ip: 192.0.2.1}, {ip: 198.51.100.0/24, comment: scanner}]
      version_added: 0.2.0
"""

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_module import CloudflareListsModule
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import NotFoundError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import sorted_items
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    find_list,
    get_list,
    list_lists,
    read_items,
    validate_list_id,
    validate_list_name,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import dot_names

ARGUMENT_SPEC = {
    "name": {"type": "str"},
    "id": {"type": "str"},
    "include_items": {"type": "bool", "default": False},
}
MUTUALLY_EXCLUSIVE = [("name", "id")]


def argument_spec():
    return CloudflareListsModule.full_argument_spec(ARGUMENT_SPEC)


def run(module):
    params = module.params
    account_id = module.account_id()
    name = validate_list_name(params["name"]) if params["name"] is not None else None
    list_id = validate_list_id(params["id"]) if params["id"] is not None else None
    with module.client() as client:
        if list_id is not None:
            try:
                found = [get_list(client, account_id, list_id)]
            except NotFoundError:
                found = []
        elif name is not None:
            found = [facts for facts in [find_list(client, account_id, name)] if facts is not None]
        else:
            found = list_lists(client, account_id)
        lists = []
        for facts in found:
            entry = facts.to_dict()
            if params["include_items"]:
                entry["items"] = [item.to_dict() for item in sorted_items(read_items(client, account_id, facts))]
            lists.append(dot_names(entry))
    return {"changed": False, "lists": lists}


def main():
    CloudflareListsModule(ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE).run(run)


if __name__ == "__main__":
    main()
