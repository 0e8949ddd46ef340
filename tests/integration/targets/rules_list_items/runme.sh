#!/usr/bin/env bash
# Integration tests of edgeops.cloudflare_lists.rules_list_items against the Lists API emulator: adding and
# removing some items of a list that also holds items written by others, which stay untouched.
# shellcheck disable=SC2154  # workdir and token are set by ../setup_emulator/emulator.sh, which is sourced below
set -eu -o pipefail
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

main_base_url=""
start_emulator main_base_url --pending-seconds 0.3 --running-seconds 0.5
cat >"$workdir/vars.json" <<JSON
{"main_base_url": "$main_base_url", "cloudflare_api_token": "$token"}
JSON
ansible-playbook -i "$INVENTORY_PATH" -e "@$workdir/vars.json" rules_list_items.yml "$@" 2>&1 | summarize_expected_failures
