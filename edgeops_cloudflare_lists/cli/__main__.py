import sys

from edgeops_cloudflare_lists.cli import main

sys.exit(main())
