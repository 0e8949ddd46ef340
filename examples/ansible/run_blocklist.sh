#!/usr/bin/env bash
# Run blocklist.yml against the endpoint in CLOUDFLARE_BASE_URL (for example the bundled emulator:
# cloudflare-lists emulator --port 0 prints its URL) with the token in CLOUDFLARE_API_TOKEN.
# Extra arguments go to ansible-playbook, e.g. --check --diff, or -e blocklist_name=blocklist.
set -euo pipefail

: "${CLOUDFLARE_BASE_URL:?set CLOUDFLARE_BASE_URL to the API endpoint, e.g. the emulator URL}"
: "${CLOUDFLARE_API_TOKEN:?set CLOUDFLARE_API_TOKEN to an API token}"
# The account id the emulator uses in its examples, unless one is given.
export CLOUDFLARE_ACCOUNT_ID="${CLOUDFLARE_ACCOUNT_ID:-${DEMO_ACCOUNT_ID:-023e105f4ecef8ad9ca31a8372d0c353}}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The implicit localhost runs the modules with ansible-playbook's own Python (see the playbook's vars).
ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    exec ansible-playbook "$here/blocklist.yml" "$@"
