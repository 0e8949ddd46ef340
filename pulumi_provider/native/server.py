"""``pulumi-resource-cloudflare-lists``: the provider as the plugin the engine starts.

The engine runs the executable with its own address, reads the port printed on stdout, and calls the provider over
gRPC on 127.0.0.1. The SDK's server does the protocol; this one changes how an error reaches the user: this
product's errors are written for the user (what failed, what to do), so they are answered with their message
alone, naming things as this provider's users do. Any other exception (a bug) keeps the SDK's traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Awaitable, Callable, List, Optional

import grpc
import grpc.aio
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import CloudflareListsError
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from pulumi_provider.native.provider import CloudflareListsProvider, rendered_error

DISTRIBUTION = "edgeops-cloudflare-lists"
_CALLS = ("CheckConfig", "DiffConfig", "Configure", "Check", "Diff", "Create", "Read", "Update", "Delete", "GetSchema")

Handler = Callable[[Any, Any, Any], Awaitable[Any]]


def _ours(error: Optional[BaseException]) -> Optional[CloudflareListsError]:
    """This product's error that caused ``error`` (the SDK re-raises each as a plain ``Exception``), if any."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, CloudflareListsError):
            return error
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def _plain_errors(call: Handler) -> Handler:
    async def handle(servicer: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await call(servicer, request, context)
        except Exception as exc:
            error = _ours(exc)
            if error is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, rendered_error(error))

    return handle


class Servicer(ProviderServicer):
    """The SDK's servicer, with this product's errors answered as their message."""


for _name in _CALLS:
    setattr(Servicer, _name, _plain_errors(getattr(ProviderServicer, _name)))


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0.0.0"


async def serve(provider: CloudflareListsProvider, engine: str, *, port: int = 0) -> None:
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        Servicer(sys.argv[1:], provider.version, provider, engine_address=engine), server
    )
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    sys.stdout.write(f"{bound}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        prog="pulumi-resource-cloudflare-lists",
        description="The cloudflare-lists Pulumi provider. The Pulumi engine starts it; it serves gRPC on 127.0.0.1 "
        "and prints its port.",
    )
    parser.add_argument("engine", nargs="?", default="", help="the engine's address (given by the engine)")
    parser.add_argument("--logflow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--logtostderr", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-v", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tracing", default="", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    try:
        asyncio.run(serve(CloudflareListsProvider(package_version()), args.engine))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
