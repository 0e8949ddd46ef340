"""``python -m pulumi_provider.native``: the same as ``pulumi-resource-cloudflare-lists``."""

from pulumi_provider.native.server import main

main()
