"""Drive a Python dynamic provider the way the Pulumi engine does, without the Pulumi CLI.

``pulumi.runtime.set_mocks`` never calls a provider. The engine instead launches ``python -u -m pulumi.dynamic``,
reads the port it prints, and calls it over gRPC with the pickled provider in every request's ``__provider``
property. ``ProviderServer`` does exactly that, so tests and demos exercise the real server, the real unpickling
in a process that never ran the program, and the real encoding of properties::

    with ProviderServer(BulkOperationProvider()) as server:
        server.configure({"cloudflare:apiToken": token})
        checked = server.check({"account_id": account_id, "operation_id": operation_id})
        id_, outs = server.create(checked.inputs)
"""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union

import grpc
import pulumi
import pulumi.runtime
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"
DEFAULT_URN = "urn:pulumi:test::project::pulumi-python:dynamic/cloudflare-lists:BulkOperation::resource"
_DIFF_CHANGES = {
    provider_pb2.DiffResponse.DIFF_NONE: "none",
    provider_pb2.DiffResponse.DIFF_SOME: "some",
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "unknown",
}


class ProviderCallError(Exception):
    """The server answered a call with an error. A provider's exception arrives as ``UNKNOWN`` + its traceback."""

    def __init__(self, method: str, code: grpc.StatusCode, details: str) -> None:
        self.method = method
        self.code = code
        self.details = details
        super().__init__(f"{method} failed with {code.name}: {self.message}")

    @property
    def message(self) -> str:
        """The error as a user reads it in ``pulumi up``: the details (this product's errors come as their message
        alone), or a traceback's last line (any other exception)."""
        details = self.details.strip()
        if not details.startswith("Traceback"):
            return details
        lines = [line for line in details.splitlines() if line.strip()]
        return lines[-1]


@dataclass(frozen=True)
class CheckOutcome:
    inputs: Dict[str, Any]
    failures: List[Tuple[str, str]]


@dataclass(frozen=True)
class DiffOutcome:
    changes: str  # "none", "some" or "unknown"
    replaces: List[str]
    delete_before_replace: bool


def serialize(props: Mapping[str, Any]) -> struct_pb2.Struct:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def deserialize(struct: struct_pb2.Struct) -> Dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, True))


class ProviderServer:
    """The real provider server in a child process, and the engine's side of its gRPC protocol.

    ``provider`` (an instance, pickled as ``pulumi.dynamic.Resource`` does, or an already serialized string) is
    added as ``__provider`` to any properties sent without one. ``env`` is the child's whole environment (default:
    this process's); ``cwd`` its directory, as the engine runs it in the program's directory. ``command`` starts
    another provider plugin instead of the dynamic provider server (the engine adds its address as the last
    argument).
    """

    def __init__(
        self,
        provider: Union[ResourceProvider, str, None] = None,
        *,
        env: Optional[Mapping[str, str]] = None,
        cwd: Optional[str] = None,
        python: str = sys.executable,
        call_timeout: float = 120.0,
        start_timeout: float = 30.0,
        command: Optional[Sequence[str]] = None,
    ) -> None:
        self.serialized_provider = provider if isinstance(provider, str) or provider is None else None
        if isinstance(provider, ResourceProvider):
            self.serialized_provider = serialize_provider(provider)
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PULUMI_PROJECT", "project")
        self.cwd = cwd
        self.python = python
        self.command = list(command) if command is not None else [python, "-u", "-m", "pulumi.dynamic"]
        self.call_timeout = call_timeout
        self.start_timeout = start_timeout
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._channel: Optional[grpc.Channel] = None
        self._stub: Optional[provider_pb2_grpc.ResourceProviderStub] = None
        self._stdout: queue.Queue[str] = queue.Queue()
        self._stderr: List[str] = []
        self.port: Optional[int] = None

    # ------------------------------------------------------------------------------------------- lifecycle
    def start(self) -> ProviderServer:
        # The engine passes its own address; this server ignores it and never calls back.
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module, or the caller's
            [*self.command, "127.0.0.1:0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            cwd=self.cwd,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        # Drain both pipes for the server's whole life: a chatty provider would block on a full pipe.
        self._drain(self._process.stdout, self._stdout.put)
        self._drain(self._process.stderr, self._stderr.append)
        try:
            self.port = int(self._stdout.get(timeout=self.start_timeout).strip())
        except (queue.Empty, ValueError):
            self.stop()
            raise RuntimeError(f"the provider server printed no port; its stderr:\n{self.stderr}") from None
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        return self

    def stop(self) -> None:
        """Close the channel and end the child. Safe to call twice."""
        if self._channel is not None:
            self._channel.close()
            self._channel, self._stub = None, None
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def __enter__(self) -> ProviderServer:
        return self.start() if self._process is None else self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    @property
    def stderr(self) -> str:
        """What the server wrote to stderr so far (``pulumi.log`` calls in a provider land here)."""
        return "".join(self._stderr)

    @staticmethod
    def _drain(pipe: IO[bytes], sink: Any) -> None:
        def pump() -> None:
            for line in iter(pipe.readline, b""):
                sink(line.decode("utf-8", errors="replace"))
            pipe.close()

        threading.Thread(target=pump, name="provider-server-pipe", daemon=True).start()

    # ------------------------------------------------------------------------------------------- calls
    def get_plugin_info(self) -> str:
        return str(self._call("GetPluginInfo", empty_pb2.Empty()).version)

    def configure(self, config: Mapping[str, str]) -> None:
        """Send the stack config: namespaced keys (``cloudflare:apiToken``), secrets already decrypted."""
        request = provider_pb2.ConfigureRequest(variables=dict(config), args=serialize(config))
        self._call("Configure", request)

    def check(self, news: Mapping[str, Any], olds: Optional[Mapping[str, Any]] = None) -> CheckOutcome:
        request = provider_pb2.CheckRequest(urn=DEFAULT_URN, olds=self._props(olds or {}), news=self._props(news))
        response = self._call("Check", request)
        return CheckOutcome(deserialize(response.inputs), [(f.property, f.reason) for f in response.failures])

    def diff(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffOutcome:
        request = provider_pb2.DiffRequest(
            id=id_,
            urn=DEFAULT_URN,
            olds=self._props(olds),
            news=self._props(news),
        )
        response = self._call("Diff", request)
        return DiffOutcome(_DIFF_CHANGES[response.changes], list(response.replaces), response.deleteBeforeReplace)

    def create(self, props: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
        request = provider_pb2.CreateRequest(urn=DEFAULT_URN, properties=self._props(props))
        response = self._call("Create", request)
        return response.id, deserialize(response.properties)

    def read(self, id_: str, props: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
        """A refresh: the engine sends the outputs in state. An empty id back means the resource is gone."""
        request = provider_pb2.ReadRequest(id=id_, urn=DEFAULT_URN, properties=self._props(props))
        response = self._call("Read", request)
        return response.id, deserialize(response.properties)

    def get(self, id_: str, inputs: Mapping[str, Any]) -> Tuple[str, Dict[str, Any]]:
        """``Resource.get``: the engine sends only the program's inputs, no outputs (there is no state yet)."""
        request = provider_pb2.ReadRequest(id=id_, urn=DEFAULT_URN, inputs=self._props(inputs))
        response = self._call("Read", request)
        return response.id, deserialize(response.properties)

    def update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Dict[str, Any]:
        request = provider_pb2.UpdateRequest(
            id=id_,
            urn=DEFAULT_URN,
            olds=self._props(olds),
            news=self._props(news),
        )
        return deserialize(self._call("Update", request).properties)

    def delete(self, id_: str, props: Mapping[str, Any]) -> None:
        request = provider_pb2.DeleteRequest(id=id_, urn=DEFAULT_URN, properties=self._props(props))
        self._call("Delete", request)

    def _props(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        out = dict(props)
        if PROVIDER_KEY not in out and self.serialized_provider is not None:
            out[PROVIDER_KEY] = self.serialized_provider
        return serialize(out)

    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise RuntimeError("the provider server is not running; use it as a context manager or call start()")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise ProviderCallError(method, exc.code(), exc.details() or "") from None


# ------------------------------------------------------------------------------------------------- programs
# How the SDK marks a secret value: {_SIG_KEY: _SECRET_SIG, "value": ...} (signatures, not secrets).
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def _unsecret(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return _unsecret(value.get("value"))
        return {key: _unsecret(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unsecret(item) for item in value]
    return value


@dataclass
class ResourceState:
    """One resource in the stack's state: its type and name, id, checked inputs and outputs."""

    type: str
    name: str
    id: str
    inputs: Dict[str, Any]
    outputs: Dict[str, Any]


@dataclass(frozen=True)
class ProgramStep:
    """What an ``up`` did to one resource: ``create``, ``same``, ``update``, ``replace`` or ``delete``."""

    name: str
    op: str
    diff: Optional[DiffOutcome] = None


class ProgramEngine:
    """``pulumi up`` of a real program, without the Pulumi CLI.

    The program runs in this process on the Pulumi SDK's mock monitor, so it registers its resources and their
    dependencies resolve as under the engine; each dynamic resource it registers is driven through ``server`` in
    the engine's order (Check; then Create, or Diff and Update or replace), and resources no longer registered
    are deleted. ``state`` carries over from one ``up`` to the next, like a stack's::

        engine = ProgramEngine(server, project="cloudflare-lists-blocklist")
        steps, exports = engine.up("examples/pulumi/blocklist/__main__.py")
    """

    def __init__(self, server: ProviderServer, *, project: str, stack: str = "dev") -> None:
        self.server = server
        self.project = project
        self.stack = stack
        self.state: Dict[str, ResourceState] = {}

    def up(self, program: str, config: Optional[Mapping[str, str]] = None) -> Tuple[List[ProgramStep], Dict[str, Any]]:
        """Run ``program`` once; return each resource's step, and the stack's exports."""
        import runpy

        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await

        steps: List[ProgramStep] = []
        registered: Dict[str, ResourceState] = {}
        pulumi.runtime.set_mocks(_EngineMocks(self, steps, registered), project=self.project, stack=self.stack)
        pulumi.runtime.set_all_config(dict(config or {}))
        try:

            def run() -> None:
                runpy.run_path(program, run_name="__main__")

            _sync_await(run_pulumi_func(run))
            stack = pulumi.runtime.get_root_resource()
            outputs: Dict[str, Any] = getattr(stack, "outputs", {})
            exports = {name: _sync_await(pulumi.Output.from_input(value).future()) for name, value in outputs.items()}
        finally:
            pulumi.runtime.set_all_config({})
        for key in [key for key in self.state if key not in registered]:
            gone = self.state.pop(key)
            self.server.delete(gone.id, gone.outputs)
            steps.append(ProgramStep(gone.name, "delete"))
        self.state.update(registered)
        return steps, exports

    def destroy(self) -> List[ProgramStep]:
        steps = []
        for key in reversed(list(self.state)):
            gone = self.state.pop(key)
            self.server.delete(gone.id, gone.outputs)
            steps.append(ProgramStep(gone.name, "delete"))
        return steps

    def register(self, type_: str, name: str, inputs: Dict[str, Any]) -> Tuple[ResourceState, ProgramStep]:
        """One resource as the engine steps it: Check, then Create, or Diff and then nothing, Update or a replace."""
        old = self.state.get(f"{type_}::{name}")
        checked = self.server.check(inputs, old.inputs if old else None)
        if checked.failures:
            raise ValueError(
                f"{name}: " + "; ".join(f"{prop}: {reason}" if prop else reason for prop, reason in checked.failures)
            )
        if old is None:
            id_, outs = self.server.create(checked.inputs)
            return ResourceState(type_, name, id_, checked.inputs, outs), ProgramStep(name, "create")
        diff = self.server.diff(old.id, old.outputs, checked.inputs)
        if diff.replaces:
            if diff.delete_before_replace:
                self.server.delete(old.id, old.outputs)
            id_, outs = self.server.create(checked.inputs)
            if not diff.delete_before_replace:
                self.server.delete(old.id, old.outputs)
            return ResourceState(type_, name, id_, checked.inputs, outs), ProgramStep(name, "replace", diff)
        if diff.changes == "none":
            return ResourceState(type_, name, old.id, checked.inputs, old.outputs), ProgramStep(name, "same", diff)
        outs = self.server.update(old.id, old.outputs, checked.inputs)
        return ResourceState(type_, name, old.id, checked.inputs, outs), ProgramStep(name, "update", diff)


class _EngineMocks(pulumi.runtime.Mocks):
    """The SDK's mock monitor calls this for each registration; it answers with what the provider server made."""

    def __init__(self, engine: ProgramEngine, steps: List[ProgramStep], registered: Dict[str, ResourceState]) -> None:
        self.engine = engine
        self.steps = steps
        self.registered = registered

    def new_resource(self, args: Any) -> Tuple[Optional[str], Dict[str, Any]]:
        if not str(args.typ).startswith("pulumi-python:dynamic"):
            raise ValueError(f"{args.name}: only dynamic resources can run without the engine, not {args.typ}")
        new, step = self.engine.register(args.typ, args.name, _unsecret(dict(args.inputs)))
        self.steps.append(step)
        self.registered[f"{args.typ}::{args.name}"] = new
        return new.id, {name: value for name, value in new.outputs.items() if name != PROVIDER_KEY}

    def call(self, args: Any) -> Tuple[Dict[str, Any], None]:
        raise ValueError(f"provider functions are not served here: {args.token}")


class AutomationEngine:
    """``pulumi up`` of a real program through the real engine: the ``pulumi`` CLI, driven by the Automation API.

    The program file runs inline, in this process (the SDK serves the language runtime itself, so no
    ``pulumi-language-python`` plugin is needed); the engine starts the dynamic providers as the plugin
    ``pulumi-resource-pulumi-python`` (beside ``pulumi``, or on PATH), with this interpreter. The stack lives in a
    local file backend under ``work``, with a throwaway passphrase and its own ``PULUMI_HOME``: nothing of the
    user's Pulumi set-up is read or changed, and no Pulumi Cloud is contacted::

        engine = AutomationEngine("/path/to/bin/pulumi", "examples/pulumi/blocklist/__main__.py",
                                  project="cloudflare-lists-blocklist", work=tmp)
        steps, exports = engine.up({"scannerFeed": '["203.0.113.10"]'})
    """

    def __init__(self, pulumi_cli: str, program: str, *, project: str, work: str, stack: str = "demo") -> None:
        from pulumi import automation as auto

        self.program = program
        bin_dir = os.path.dirname(os.path.abspath(pulumi_cli))
        backend = os.path.join(work, "state")
        os.makedirs(backend, exist_ok=True)
        os.makedirs(os.path.join(work, "home"), exist_ok=True)
        env = {
            "PULUMI_BACKEND_URL": "file://" + backend,
            "PULUMI_CONFIG_PASSPHRASE": "throwaway",  # encrypts this throwaway stack's secrets; nothing else
            "PULUMI_HOME": os.path.join(work, "home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,  # the interpreter that has pulumi_provider, for the providers
            "PATH": os.pathsep.join([bin_dir, os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        }
        self.stack = auto.create_stack(
            stack,
            project_name=project,
            program=self._run_program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=work,
                pulumi_home=env["PULUMI_HOME"],
                env_vars=env,
                secrets_provider="passphrase",
                pulumi_command=auto.PulumiCommand(root=os.path.dirname(bin_dir)),
                project_settings=auto.ProjectSettings(name=project, runtime="python"),
            ),
        )

    def _run_program(self) -> None:
        import runpy

        runpy.run_path(self.program, run_name="__main__")

    def up(self, config: Optional[Mapping[str, str]] = None) -> Tuple[List[ProgramStep], Dict[str, Any]]:
        """Run the program once with this stack config (keys of the project, or namespaced); return each
        resource's step and the stack's exports."""
        from pulumi import automation as auto

        if config:
            self.stack.set_all_config({key: auto.ConfigValue(value) for key, value in config.items()})
        steps: List[ProgramStep] = []
        result = self.stack.up(on_event=_steps_into(steps))
        return steps, {name: output.value for name, output in result.outputs.items()}

    def destroy(self) -> List[ProgramStep]:
        steps: List[ProgramStep] = []
        self.stack.destroy(on_event=_steps_into(steps))
        return steps


def _steps_into(steps: List[ProgramStep]) -> Callable[[Any], None]:
    """An ``on_event`` that records each resource's step (not the stack's or a provider's), as the engine ends them."""

    def record(event: Any) -> None:
        finished = event.res_outputs_event
        if finished is not None and not finished.metadata.type.startswith("pulumi:"):  # the stack, providers
            steps.append(ProgramStep(finished.metadata.urn.rpartition("::")[2], finished.metadata.op.value))

    return record
