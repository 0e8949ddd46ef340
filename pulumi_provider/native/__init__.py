"""The ``cloudflare-lists`` Pulumi package: a native provider, for programs in any language Pulumi runs.

Its resources, ``cloudflare-lists:index:RulesList``, ``ListItems`` and ``BulkOperation``, take the inputs of the
dynamic resources of ``pulumi_provider`` (named in camelCase) and share all their logic: the same checks,
canonical comparison, writes, reads and facts. ``pip install`` puts its plugin, ``pulumi-resource-cloudflare-lists``,
on ``PATH``, where the engine finds it.
"""

from pulumi_provider.native.provider import CloudflareListsProvider
from pulumi_provider.native.resources import PACKAGE, RESOURCE_TYPES

__all__ = ["PACKAGE", "RESOURCE_TYPES", "CloudflareListsProvider"]
