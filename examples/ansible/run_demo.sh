#!/usr/bin/env bash
# Run wait_for_list_update.yml against the endpoint in CLOUDFLARE_BASE_URL (for example the bundled emulator:
# python -m edgeops_cloudflare_lists.emulator --port 0 prints its URL) with the token in CLOUDFLARE_API_TOKEN.
# Extra arguments go to ansible-playbook, e.g. -e cloudflare_list_name=blocklist or -v.
set -euo pipefail

: "${CLOUDFLARE_BASE_URL:?set CLOUDFLARE_BASE_URL to the API endpoint, e.g. the emulator URL}"
: "${CLOUDFLARE_API_TOKEN:?set CLOUDFLARE_API_TOKEN to an API token}"
# The account id the emulator uses in its examples, unless one is given.
export CLOUDFLARE_ACCOUNT_ID="${CLOUDFLARE_ACCOUNT_ID:-${DEMO_ACCOUNT_ID:-023e105f4ecef8ad9ca31a8372d0c353}}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
args=()
if [ -n "${DEMO_LIST_ID:-}" ]; then
    args+=(-e "cloudflare_list_id=$DEMO_LIST_ID")  # the list examples/demo.sh created
fi

# The implicit localhost runs the module with ansible-playbook's own Python (see the playbook's vars).
ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    exec ansible-playbook "$here/wait_for_list_update.yml" "${args[@]}" "$@"
