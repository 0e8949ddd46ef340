#!/usr/bin/python
# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: E402  (Ansible wants the imports below DOCUMENTATION, EXAMPLES and RETURN)

from __future__ import annotations

DOCUMENTATION = r"""
module: bulk_operation_info
short_description: Report on, or wait for, a Cloudflare Rules Lists bulk operation
version_added: 0.1.0
description:
  - Cloudflare applies writes to the items of a Rules List (append, replace, delete) asynchronously. The write
    answers with an C(operation_id), and the change is in effect only once that bulk operation is C(completed).
  - This module reads the status of such an operation once, or with O(wait=true) waits until it has finished.
  - It only reads, so it always reports C(changed=false) and runs the same way in check mode.
  - A C(failed) operation, a wait that times out, refused credentials and invalid input fail the task with one
    sentence in C(msg), and the facts known at that point in the result.
author:
  - EdgeOps (@edgeops)
options:
  account_id:
    description:
      - The 32 hexadecimal characters of the Cloudflare account ID that owns the list. Upper case is sent in
        lower case, the only case Cloudflare routes.
      - Required with O(operation_id); with O(operations), the account of entries that name none.
    type: str
  operation_id:
    description:
      - The C(operation_id) returned by a write to the items of a list, for example C(result.operation_id) from
        C(POST /accounts/{account_id}/rules/lists/{list_id}/items).
      - Letters, digits and C(-), at most 64 characters. It is checked before any request is sent.
      - Give this or O(operations).
    type: str
  operations:
    description:
      - Several operations, checked or waited on together in one task, under one O(wait_timeout) and the
        credential's request budget, soonest due first; each keeps its own schedule.
      - 'Each entry is one of: an operation ID (V(4da8780eeb215e6cb7f48dd981c4ea02)), or one with its account
        (V(023e105f4ecef8ad9ca31a8372d0c353:4da8780eeb215e6cb7f48dd981c4ea02)); a dictionary with C(operation_id)
        and optionally C(account_id); or what a write of this collection returned: its C(bulk_operation), or the
        whole registered result. An entry without an account is in O(account_id).'
      - An entry that is V(null), or a result whose C(bulk_operation) is V(null) (a write that had nothing to
        write), is skipped.
      - The result is then RV(bulk_operations), one entry per operation, in the order given. With O(wait=true),
        the task fails if any of them did not complete, and still returns every entry.
      - At most 10,000 entries; one check of each already takes 42 minutes at Cloudflare's rate limit.
      - Give this or O(operation_id).
    type: list
    elements: raw
    version_added: 0.2.0
extends_documentation_fragment:
  - edgeops.cloudflare_lists.common.read_only
  - edgeops.cloudflare_lists.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - edgeops.cloudflare_lists.auth
  - edgeops.cloudflare_lists.wait
seealso:
  - name: Get bulk operation status
    description: The Cloudflare API call this module makes.
    link: https://developers.cloudflare.com/api/resources/rules/subresources/lists/subresources/bulk_operations/methods/get/
"""

EXAMPLES = r"""
- name: Append an address to a list (Cloudflare answers with an operation_id)
  ansible.builtin.uri:
    url: "https://api.cloudflare.com/client/v4/accounts/{{ account_id }}/rules/lists/{{ list_id }}/items"
    method: POST
    headers:
      Authorization: "Bearer {{ cloudflare_api_token }}"
    body_format: json
    body:
      - ip: 192.0.2.1
        comment: blocked by the on-call
  no_log: true  # the token is in the headers
  register: append
  changed_when: true

- name: Wait until Cloudflare has applied it
  edgeops.cloudflare_lists.bulk_operation_info:
    account_id: "{{ account_id }}"
    operation_id: "{{ append.json.result.operation_id }}"
    api_token: "{{ cloudflare_api_token }}"
    wait: true
    wait_timeout: 300
  register: operation

- name: Show when it was applied
  ansible.builtin.debug:
    msg: "{{ operation.bulk_operation.id }} completed at {{ operation.bulk_operation.completed_at }}"

- name: Wait for writes in several accounts at once, in one task under one deadline
  edgeops.cloudflare_lists.bulk_operation_info:
    operations:
      - account_id: "{{ customer_a_account_id }}"
        operation_id: "{{ write_a.json.result.operation_id }}"
      - account_id: "{{ customer_b_account_id }}"
        operation_id: "{{ write_b.json.result.operation_id }}"
    wait: true
    wait_timeout: 600
  register: fleet

- name: Wait for what rules_list tasks wrote (unchanged lists wrote nothing and are skipped)
  edgeops.cloudflare_lists.bulk_operation_info:
    account_id: "{{ account_id }}"
    operations: "{{ [blocklist.bulk_operation, allowlist.bulk_operation] }}"
    wait: true

- name: Check once, without waiting (credentials from CLOUDFLARE_API_TOKEN)
  edgeops.cloudflare_lists.bulk_operation_info:
    account_id: "{{ account_id }}"
    operation_id: "{{ append.json.result.operation_id }}"
  register: operation

- name: Set the account and connection options once for every module of the collection
  module_defaults:
    group/edgeops.cloudflare_lists.cloudflare_lists:
      account_id: "{{ account_id }}"
      api_token: "{{ cloudflare_api_token }}"
  block:
    - name: Wait for the operation
      edgeops.cloudflare_lists.bulk_operation_info:
        operation_id: "{{ append.json.result.operation_id }}"
        wait: true
        wait_max_interval: 10

- name: Report a failure without failing the play
  edgeops.cloudflare_lists.bulk_operation_info:
    account_id: "{{ account_id }}"
    operation_id: "{{ append.json.result.operation_id }}"
    wait: true
  register: operation
  failed_when: false

- name: Show why the operation failed
  ansible.builtin.debug:
    msg: "{{ operation.bulk_operation.error }}"
  when: operation.bulk_operation.status | default('') == 'failed'
"""

# RETURN is written by tools/module_docs.py (make docs) from docs/module_returns.yml: edit it there.
RETURN = r"""
bulk_operations:
  description:
    - With O(operations), one entry per operation, in the order given; also on failure.
  returned: when O(operations) is given
  type: list
  elements: dict
  contains:
    account_id:
      description: The account ID.
      returned: always
      type: str
    operation_id:
      description: The operation ID.
      returned: always
      type: str
    outcome:
      description: How the wait ended, with O(wait=true) - C(completed), C(failed), C(timeout) or C(error).
      returned: when O(wait=true)
      type: str
      sample: completed
    facts:
      description: What Cloudflare last said about the operation (the keys of RV(bulk_operation)), or V(null).
      returned: always
      type: dict
    checks:
      description: How many times its status was checked.
      returned: when O(wait=true)
      type: int
    elapsed:
      description: Seconds from the start of the wait to its end.
      returned: when O(wait=true)
      type: float
    message:
      description: Why it did not complete, or V(null).
      returned: when O(wait=true)
      type: str
bulk_operation:
  description:
    - What Cloudflare last said about the operation, normalized.
    - On failure, present once Cloudflare has reported on the operation (a C(failed) operation, or a wait that
      timed out), so a task with C(ignore_errors) or C(failed_when) can still read it.
  returned: with O(operation_id), on success, and on failure when known
  type: dict
  contains:
    id:
      description: The operation ID.
      returned: always
      type: str
      sample: 4da8780eeb215e6cb7f48dd981c4ea02
    status:
      description: The status Cloudflare reported.
      returned: always
      type: str
      choices: [pending, running, completed, failed]
      sample: completed
    finished:
      description: Whether the status is final (C(completed) or C(failed)).
      returned: always
      type: bool
      sample: true
    succeeded:
      description: Whether the status is C(completed).
      returned: always
      type: bool
      sample: true
    completed_at:
      description:
        - When the operation finished, in UTC, as RFC 3339.
        - V(null) while it is unfinished, or when Cloudflare gave no time.
      returned: always
      type: str
      sample: "2024-08-06T12:34:56.789Z"
    error:
      description:
        - Cloudflare's reason for a C(failed) operation.
        - V(null) unless the status is C(failed).
      returned: always
      type: str
      sample: 'invalid list item at index 0: "10.0.0.0/7": IPv4 CIDR prefixes must be between /8 and /32'
checks:
  description: How many times the status was checked.
  returned: when O(wait=true), and on failure when known
  type: int
  sample: 4
elapsed:
  description: Seconds from the first check to the last, rounded to milliseconds.
  returned: when O(wait=true), and on failure when known
  type: float
  sample: 3.514
error_type:
  description:
    - The kind of failure, for branching on it without parsing C(msg).
    - V(ValidationError) (invalid input, nothing was sent), V(AuthenticationError), V(NotFoundError),
      V(RateLimitedError), V(TransportError), V(EndpointError) (TLS verification failed, or a redirect was
      refused), V(MalformedResponseError), V(UnexpectedStatusError), V(ApiError), V(OperationFailedError) or
      V(WaitTimeoutError).
  returned: on failure
  type: str
  sample: OperationFailedError
http_status:
  description: The HTTP status of Cloudflare's last answer, when it was an error.
  returned: on failure, when Cloudflare answered with an error
  type: int
  sample: 403
cloudflare_errors:
  description: The C(errors) array of Cloudflare's answer.
  returned: on failure, when Cloudflare listed errors
  type: list
  elements: dict
  contains:
    code:
      description: Cloudflare's error code, or V(null).
      returned: always
      type: int
      sample: 10000
    message:
      description: Cloudflare's error message.
      returned: always
      type: str
      sample: Authentication error
timeout:
  description: The O(wait_timeout) that ran out.
  returned: on failure, when the wait timed out
  type: float
  sample: 900.0
retry_after:
  description: Seconds Cloudflare asked to wait before the next request.
  returned: on failure, when rate limited and Cloudflare said
  type: float
  sample: 60.0
"""

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.ansible_module import CloudflareListsModule
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.argspec import (
    BULK_OPERATION_ARGUMENT_SPEC,
    BULK_OPERATION_MUTUALLY_EXCLUSIVE,
    BULK_OPERATION_REQUIRED_ONE_OF,
    WAIT_ARGUMENT_SPEC,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    get_bulk_operation,
    resolve_operation,
    resolve_operations,
    wait_for_all,
    wait_for_bulk_operation,
)


def argument_spec():
    """The module's options: the operation, then the shared connection and wait options."""
    return CloudflareListsModule.full_argument_spec(
        BULK_OPERATION_ARGUMENT_SPEC, account=False, wait=WAIT_ARGUMENT_SPEC
    )


def run(module):
    params = module.params
    if params["operations"] is not None:
        return run_many(module)
    ref = resolve_operation(params["account_id"], params["operation_id"])
    with module.client() as client:
        if not params["wait"]:
            return {"bulk_operation": get_bulk_operation(client, ref.account_id, ref.operation_id).to_dict()}
        outcome = wait_for_bulk_operation(client, ref.account_id, ref.operation_id, module.wait_policy())
    return {"bulk_operation": outcome.facts.to_dict(), "checks": outcome.checks, "elapsed": round(outcome.elapsed, 3)}


def run_many(module):
    """``operations``: each checked once, or all waited on together, in the order given."""
    params = module.params
    refs = resolve_operations(params["operations"], params["account_id"])
    if not refs:  # only writes that wrote nothing: nothing to check
        return {"bulk_operations": []}
    with module.client() as client:
        if params["wait"]:
            results = wait_for_all(client, refs, module.wait_policy())
            return {"bulk_operations": [result.to_dict() for result in results]}
        return {
            "bulk_operations": [
                {
                    "account_id": ref.account_id,
                    "operation_id": ref.operation_id,
                    "facts": get_bulk_operation(client, ref.account_id, ref.operation_id).to_dict(),
                }
                for ref in refs
            ]
        }


def main():
    CloudflareListsModule(
        BULK_OPERATION_ARGUMENT_SPEC,
        account=False,
        wait=WAIT_ARGUMENT_SPEC,
        mutually_exclusive=BULK_OPERATION_MUTUALLY_EXCLUSIVE,
        required_one_of=BULK_OPERATION_REQUIRED_ONE_OF,
    ).run(run)


if __name__ == "__main__":
    main()
