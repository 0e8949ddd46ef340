"""The engine's side for the Pulumi provider's end-to-end tests: real provider servers, emulator writes.

The server and its gRPC calls are ``pulumi_provider.testing.ProviderServer`` (shipped, so the demo uses it too);
this adds what only tests need: a clean environment, a configured server per test, and operation ids.
"""

from __future__ import annotations

import io
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest
from ansible_collections.edgeops.cloudflare_lists.tests.support.ids import ACCOUNT_ID as ACCOUNT  # noqa: F401 - the engine tests import it here
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from pulumi_provider import BulkOperationProvider
from pulumi_provider.testing import PROVIDER_KEY, CheckOutcome, DiffOutcome, ProviderServer

GOOD_ITEMS: List[Dict[str, Any]] = [{"ip": "192.0.2.1"}, {"ip": "198.51.100.0/24"}]
BAD_ITEMS: List[Dict[str, Any]] = [{"ip": "10.0.0.0/7"}]  # a /7 is refused, so the operation ends failed


def clean_env(**extra: str) -> Dict[str, str]:
    """This environment without any CLOUDFLARE_* variable, plus ``extra``: credentials only where a test says."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CLOUDFLARE_")}
    env.update(extra)
    return env


@contextmanager
def provider_server(
    config: Optional[Mapping[str, str]] = None, *, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None
) -> Iterator[ProviderServer]:
    """A fresh ``python -m pulumi.dynamic`` for BulkOperationProvider, configured with ``config`` first as the
    engine does (a provider is configured once, when a server first unpickles it)."""
    with ProviderServer(BulkOperationProvider(), env=clean_env() if env is None else env, cwd=cwd) as server:
        server.configure(config or {})
        yield server


def stack_config(emulator: Emulator) -> Dict[str, str]:
    assert emulator.config.token is not None
    return {"cloudflare:apiToken": emulator.config.token, "cloudflare:baseUrl": emulator.base_url}


def without_provider(props: Mapping[str, Any]) -> Dict[str, Any]:
    return {name: value for name, value in props.items() if name != "__provider"}


@dataclass
class State:
    """One resource's entry in the stack's state, as the engine keeps it: id, inputs (checked) and outputs."""

    id: str
    inputs: Dict[str, Any]
    outputs: Dict[str, Any]


@dataclass(frozen=True)
class Step:
    """What one `pulumi up` did to one resource: the diff (None on a create), and the state after."""

    diff: Optional[DiffOutcome]
    state: State


class EngineResource:
    """One resource driven in the engine's call order through a provider server, carrying its provider's pickle.

    ``up`` is Check, then Create (no state yet) or Diff and, when something changed, Update; ``refresh`` is Read;
    ``destroy`` is Delete. A replace is left to the test, which sees it in the diff.
    """

    def __init__(self, server: ProviderServer, provider: ResourceProvider) -> None:
        self.server = server
        self.pickle = serialize_provider(provider)

    def _with_provider(self, props: Mapping[str, Any]) -> Dict[str, Any]:
        return {**props, PROVIDER_KEY: self.pickle}

    def check(self, news: Mapping[str, Any], olds: Optional[Mapping[str, Any]] = None) -> CheckOutcome:
        return self.server.check(self._with_provider(news), self._with_provider(olds) if olds else None)

    def checked(self, news: Mapping[str, Any], olds: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        outcome = self.check(news, olds)
        assert outcome.failures == [], outcome.failures
        return outcome.inputs

    def up(self, news: Mapping[str, Any], state: Optional[State] = None) -> Step:
        inputs = self.checked(news, state.inputs if state else None)
        if state is None:
            id_, outs = self.server.create(inputs)
            return Step(None, State(id_, inputs, outs))
        diff = self.server.diff(state.id, state.outputs, inputs)
        assert diff.replaces == [], f"a replace: {diff.replaces}"
        if diff.changes == "none":
            return Step(diff, State(state.id, inputs, state.outputs))
        outs = self.server.update(state.id, state.outputs, inputs)
        return Step(diff, State(state.id, inputs, outs))

    def diff(self, state: State, news: Mapping[str, Any]) -> DiffOutcome:
        return self.server.diff(state.id, state.outputs, self.checked(news, state.inputs))

    def refresh(self, state: State) -> Optional[State]:
        id_, outs = self.server.read(state.id, state.outputs)
        return State(id_, state.inputs, outs) if id_ else None

    def get(self, id_: str, inputs: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
        """``Resource.get``: a Read with only the program's inputs (no outputs in state yet)."""
        return self.server.get(id_, self._with_provider(inputs))

    def destroy(self, state: State) -> None:
        self.server.delete(state.id, state.outputs)


class RecordingApp:
    """A WSGI wrapper around the emulator's app that records each request: method, path, JSON body, status.

    It shows what the provider really sent (one operation with exactly one item) and every 429 it met, whatever
    the emulator counts itself. Other attributes are the wrapped app's.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: List[Recorded] = []
        self._lock = threading.Lock()

    def __call__(self, environ: Dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        statuses: List[int] = []

        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        result = self.app(environ, start)
        with self._lock:
            self.requests.append(
                Recorded(
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    json.loads(body) if body else None,
                    statuses[0] if statuses else 0,
                )
            )
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def since(self, mark: int) -> List[Recorded]:
        with self._lock:
            return list(self.requests[mark:])

    @property
    def mark(self) -> int:
        with self._lock:
            return len(self.requests)

    def writes(self, mark: int = 0) -> List[Recorded]:
        """Accepted item writes (POST, PUT, DELETE of .../items) since ``mark``: one per bulk operation."""
        return [r for r in self.since(mark) if r.method != "GET" and r.path.endswith("/items") and r.status < 300]

    def throttled(self, mark: int = 0) -> List[Recorded]:
        return [r for r in self.since(mark) if r.status == 429]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    status: int


def recording_emulator(config: EmulatorConfig) -> Tuple[Emulator, RecordingApp]:
    """An emulator, not started yet, whose requests are recorded."""
    emulator = Emulator(config)
    recorder = RecordingApp(emulator.app)
    emulator.app = recorder  # type: ignore[assignment]
    return emulator, recorder


def recorded_emulator_fixtures(token: str, scope: str = "module") -> Tuple[Any, Any, Any]:
    """The fixtures ``recorded`` (a fast emulator accepting ``token``, started, and its recorder), ``emulator`` and
    ``recorder``, for a test module (or, with ``scope="session"``, a conftest) to assign at its top level."""

    @pytest.fixture(scope=scope, name="recorded")
    def recorded() -> Iterator[Tuple[Emulator, RecordingApp]]:
        emulator, recorder = recording_emulator(EmulatorConfig(token=token, pending_seconds=0.05, running_seconds=0.05))
        with emulator:
            yield emulator, recorder

    @pytest.fixture(scope=scope, name="emulator")
    def emulator(recorded: Tuple[Emulator, RecordingApp]) -> Emulator:
        return recorded[0]

    @pytest.fixture(scope=scope, name="recorder")
    def recorder(recorded: Tuple[Emulator, RecordingApp]) -> RecordingApp:
        return recorded[1]

    return recorded, emulator, recorder
