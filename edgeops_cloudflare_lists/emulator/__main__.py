"""``python -m edgeops_cloudflare_lists.emulator``: same as ``cloudflare-lists emulator``."""

from .server import main

raise SystemExit(main())
