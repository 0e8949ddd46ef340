"""Where the provider's credentials come from: the stack's ``cloudflare:*`` config, else ``CLOUDFLARE_*`` variables.

They are read when the provider is configured (in the provider process, after unpickling), never taken as resource
inputs, and never pickled: every input, output and pickled provider lands in the state file.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Dict, List, Mapping, NoReturn, Optional

import pulumi
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.connection import open_client
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import env_names, pulumi_names
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import scrub_data
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.shared_state import SharedStateWarning
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.runtime.config import CONFIG, get_config, is_config_secret

# pulumi-cloudflare's keys, so one stack config serves both providers.
_CONNECTION = ("api_token", "account_email", "account_api_key", "base_url")
CONFIG_API_TOKEN, CONFIG_EMAIL, CONFIG_API_KEY, CONFIG_BASE_URL = (pulumi_names()[name] for name in _CONNECTION)


def _config_keys() -> str:
    """Which stack config key (and variable) each connection parameter the core names is."""
    names = pulumi_names()
    first, *rest = _CONNECTION
    others = [f"{name} is {names[name]} ({env_names(name)[0]})" for name in rest]
    return (
        f"In Pulumi, {first} is the config key {names[first]} (or {env_names(first)[0]}), "
        f"{', '.join(others[:-1])} and {others[-1]}; "
        f"set a secret with `pulumi config set --secret {CONFIG_API_TOKEN} <token>`."
    )


# The core names parameters as the Ansible module does; say which stack config key each one is.
_PULUMI_NAMES = _config_keys()


_SECRETS = (CONFIG_API_TOKEN, CONFIG_API_KEY)
_warned_runs: List[object] = []  # the config of the program run last warned about (one object per run)


def warn_of_plain_text_credentials() -> None:
    """Warn once per program run when the stack's config holds a credential in plain text.

    The engine records the stack's config as the inputs of the default ``pulumi-python`` provider, so such a
    credential is stored as is in the state (and its backups and history), besides ``Pulumi.<stack>.yaml``. Runs in
    the program, where the config says which keys are secrets (the provider process is never told).
    """
    run = CONFIG.get()
    if any(seen is run for seen in _warned_runs):
        return
    plain = [key for key in _SECRETS if get_config(key) and not is_config_secret(key)]
    if not plain:
        return
    _warned_runs[:] = [run]
    key = plain[0]
    pulumi.log.warn(
        f"{' and '.join(plain)} {'is' if len(plain) == 1 else 'are'} plain text in the stack's config, so Pulumi "
        f"stores {'it' if len(plain) == 1 else 'them'} unencrypted in Pulumi.<stack>.yaml and in the stack's state "
        "(as an input of the default pulumi-python provider, in every backup and history entry too). Set "
        f"{'it' if len(plain) == 1 else 'each'} as a secret, `pulumi config set --secret {key} <value>`, or remove "
        "it from the config and set the CLOUDFLARE_* environment variable instead."
    )


@dataclass(frozen=True)
class ConnectionSettings:
    """Explicit settings from stack config; None leaves the core to fall back on the environment.

    ``repr`` hides the secrets, and pickling is refused, so these never reach a log or the state file.
    ``config_help`` is added to a credentials error: where the adapter's user sets each one.
    """

    config_help: ClassVar[str] = _PULUMI_NAMES

    api_token: Optional[str] = field(default=None, repr=False)
    email: Optional[str] = None
    api_key: Optional[str] = field(default=None, repr=False)
    base_url: Optional[str] = None

    @classmethod
    def from_config(cls, get: Callable[[str], Any]) -> ConnectionSettings:
        """``get`` maps a full config key (``cloudflare:apiToken``) to its value, secrets decrypted, or None."""
        return cls(
            api_token=get(CONFIG_API_TOKEN) or None,
            email=get(CONFIG_EMAIL) or None,
            api_key=get(CONFIG_API_KEY) or None,
            base_url=get(CONFIG_BASE_URL) or None,
        )

    def open_client(self, environ: Optional[Mapping[str, str]] = None) -> CloudflareClient:
        """A client for one call (a client is for one thread, and the provider server runs calls in parallel)."""
        try:
            return open_client(self.api_token, self.email, self.api_key, self.base_url, environ=environ)
        except ValidationError as exc:
            exc.message = f"{exc.message} {self.config_help}"
            raise

    def __reduce__(self) -> NoReturn:
        raise TypeError("ConnectionSettings hold credentials and are never pickled (the pickle goes into state).")


def _scrubbing_outputs(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if getattr(result, "outs", None) is not None:
            result.outs = scrub_data(result.outs)
        return result

    return call


class ConnectedProvider(ResourceProvider):
    """A provider whose connection settings come from ``configure`` and are never pickled.

    The pickle of a provider goes into every resource's state; everything but the settings is kept in it. The
    outputs of every ``create``, ``read`` and ``update`` (what lands in state) are scrubbed of the credentials,
    whatever a server echoed into a list's name, description or items.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("create", "read", "update"):
            method = cls.__dict__.get(name)
            if method is not None:
                setattr(cls, name, _scrubbing_outputs(method))

    def __init__(self) -> None:
        super().__init__()
        self._connection = ConnectionSettings()

    def __getstate__(self) -> Dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "_connection"}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._connection = ConnectionSettings()

    def configure(self, req: ConfigureRequest) -> None:
        self.connect(ConnectionSettings.from_config(req.config.get))

    def connect(self, settings: ConnectionSettings) -> None:
        """Use these settings from now on (the native provider's configuration gives them this way)."""
        self._connection = settings
        say_shared_state_warnings_as_pulumi_warnings()


def say_shared_state_warnings_as_pulumi_warnings() -> None:
    """In the provider process, the core's warnings (shared state it could not use) become Pulumi warnings, one line
    each, rather than Python's two-line form with a source path; every other warning is shown as before."""
    previous = warnings.showwarning
    if getattr(previous, "pulumi_warnings", False):
        return

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        if issubclass(category, SharedStateWarning):
            pulumi.log.warn(str(message))
        else:
            previous(message, category, filename, lineno, file, line)

    show.pulumi_warnings = True  # type: ignore[attr-defined]
    warnings.showwarning = show
