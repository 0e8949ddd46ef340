# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible side of every module of the collection, in one place.

A module is its documentation, its own options, and one call::

    def run(module):                        # module: CloudflareListsModule
        with module.client() as client:
            outcome = some_core_call(client, module.account_id(), ..., check_mode=module.check_mode)
        return {"changed": outcome.changed, ...}

    def main():
        CloudflareListsModule(OWN_SPEC, account=True, wait=WRITE_WAIT_ARGUMENT_SPEC).run(run)

``CloudflareListsModule`` wraps (does not subclass) ``AnsibleModule``:

- it merges the module's own options with the shared connection options, and optionally the account and wait
  options, with their constraints (``mutually_exclusive``, ``required_together``);
- it masks the secrets the core may read from the environment, as Ansible masks ``no_log`` options, and fails
  at once when ``requests`` is missing;
- it hands out the client, the account id (with its ``CLOUDFLARE_ACCOUNT_ID`` fallback) and the wait policy;
- ``run(job)`` turns any core error into one ``fail_json``: the error's message, and its facts as result keys
  (with ``failure_result``, the module's own keys of what it had done, e.g. ``changed`` and the list it created);
  the core's warnings (shared state it could not use) become the task's warnings.

``module_class`` is injectable, so unit tests can run it with a stand-in for ``AnsibleModule``.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

# Only the collection's modules import this file, and they run under Ansible.
from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.argspec import (
    ACCOUNT_ARGUMENT_SPEC,
    CONNECTION_ARGUMENT_SPEC,
    CONNECTION_MUTUALLY_EXCLUSIVE,
    CONNECTION_REQUIRED_TOGETHER,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import (
    environment_secrets,
    resolve_account_id,
    url_secrets,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import (
    DEFAULT_TIMEOUT,
    HAS_REQUESTS,
    CloudflareClient,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import ansible_names
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub_data
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import SharedStateWarning
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    WaitPolicy,
)

Spec = Dict[str, Dict[str, Any]]
Groups = Sequence[Sequence[str]]


def merge_specs(*specs: Mapping[str, Mapping[str, Any]]) -> Spec:
    """One argument spec from several; an option defined twice is a programming error."""
    merged: Spec = {}
    for spec in specs:
        for name, option in spec.items():
            if name in merged:
                raise ValueError(f"option {name!r} is defined twice")
            merged[name] = copy.deepcopy(dict(option))
    return merged


class CloudflareListsModule:
    """An ``AnsibleModule`` with the collection's shared options, its client, and one way to fail."""

    def __init__(
        self,
        argument_spec: Mapping[str, Mapping[str, Any]],
        *,
        account: bool = True,
        wait: Optional[Mapping[str, Mapping[str, Any]]] = None,
        mutually_exclusive: Groups = (),
        required_together: Groups = (),
        required_if: Sequence[Tuple[Any, ...]] = (),
        required_one_of: Groups = (),
        supports_check_mode: bool = True,
        module_class: Any = None,
    ) -> None:
        self.argument_spec = self.full_argument_spec(argument_spec, account=account, wait=wait)
        self.module = (module_class or AnsibleModule)(
            argument_spec=self.argument_spec,
            mutually_exclusive=[list(group) for group in (*CONNECTION_MUTUALLY_EXCLUSIVE, *mutually_exclusive)],
            required_together=[list(group) for group in (*CONNECTION_REQUIRED_TOGETHER, *required_together)],
            required_if=[list(rule) for rule in required_if],
            required_one_of=[list(group) for group in required_one_of],
            supports_check_mode=supports_check_mode,
        )
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), changed=False)
        # The core may read credentials from the environment: mask them as Ansible masks no_log options, and the
        # userinfo of a base_url (refused, but shown in the task's invocation).
        self.module.no_log_values.update(environment_secrets())
        self.module.no_log_values.update(url_secrets(self.module.params.get("base_url")))

    @staticmethod
    def full_argument_spec(
        argument_spec: Mapping[str, Mapping[str, Any]],
        *,
        account: bool = True,
        wait: Optional[Mapping[str, Mapping[str, Any]]] = None,
    ) -> Spec:
        """The module's own options, then the account, connection and wait options (those asked for)."""
        return merge_specs(
            argument_spec,
            ACCOUNT_ARGUMENT_SPEC if account else {},
            CONNECTION_ARGUMENT_SPEC,
            wait or {},
        )

    @property
    def params(self) -> Dict[str, Any]:
        return dict(self.module.params)

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(getattr(self.module, "_diff", False))

    def account_id(self) -> str:
        """``account_id``, else ``CLOUDFLARE_ACCOUNT_ID``, validated."""
        return resolve_account_id(self.module.params.get("account_id"))

    def client(self) -> CloudflareClient:
        """A client from the connection options, with the ``CLOUDFLARE_*`` environment as fallback."""
        params = self.module.params
        return open_client(
            params.get("api_token"),
            params.get("account_email"),
            params.get("account_api_key"),
            params.get("base_url"),
            timeout=_number(params.get("timeout"), DEFAULT_TIMEOUT),  # 0 is refused by the client, not defaulted
            validate_certs=params.get("validate_certs") is not False,
        )

    def wait_policy(self) -> WaitPolicy:
        """The wait options as the core's policy."""
        params = self.module.params
        return WaitPolicy(
            timeout=_number(params.get("wait_timeout"), DEFAULT_WAIT_TIMEOUT),
            max_interval=_number(params.get("wait_max_interval"), DEFAULT_MAX_INTERVAL),
        )

    def fail_from_error(self, error: CloudflareListsError, **result: Any) -> None:
        """One ``fail_json``: the error's message (parameters named as options), its facts as result keys, and
        ``result`` (e.g. ``changed``)."""
        result.setdefault("changed", False)
        self.module.fail_json(**scrub_data({"msg": error.render(ansible_names()), **error.details(), **result}))

    def run(
        self,
        job: Callable[[CloudflareListsModule], Mapping[str, Any]],
        failure_result: Optional[Callable[[CloudflareListsError], Mapping[str, Any]]] = None,
    ) -> None:
        """Run ``job(self)`` and exit with its result (``changed`` defaults to false), or fail on a core error,
        with ``failure_result(error)``'s keys (``changed`` defaults to false there too).

        The result is the module's one output: every string in it is scrubbed of the credentials, whatever the
        server echoed into a list's name, an item or a message (Ansible's own masking matches whole values only).
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SharedStateWarning)
            try:
                result = dict(job(self))
            except CloudflareListsError as error:
                failure: Optional[CloudflareListsError] = error
            else:
                failure = None
        for warning in caught:
            if issubclass(warning.category, SharedStateWarning):
                self.module.warn(str(warning.message))  # scrubbed where it was made (shared_state)
        if failure is not None:
            self.fail_from_error(failure, **(failure_result(failure) if failure_result is not None else {}))
            return  # fail_json exits; a stand-in module_class may not
        result.setdefault("changed", False)
        self.module.exit_json(**scrub_data(result))


def _number(value: Any, default: float) -> float:
    return default if value is None else float(value)
