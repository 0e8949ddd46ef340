#!/usr/bin/env bash
# The main job, end to end on the bundled emulator: keep a list's items with `cloudflare-lists sync` (a run that
# changes it, one that changes nothing, a --dry-run of an edit), and wait on a write made elsewhere. Then an Ansible
# playbook that keeps a blocklist (changed, unchanged, --check --diff of an edit), the same wait from a playbook,
# a Pulumi program with a RulesList and two teams' ListItems, and a BulkOperation.
set -euo pipefail
cd "$(dirname "$0")/.."

export CLOUDFLARE_API_TOKEN="demo-token-not-a-secret"
ACCOUNT_ID="023e105f4ecef8ad9ca31a8372d0c353"
log=$(mktemp)
fifo=$(mktemp -u)
mkfifo "$fifo"

cloudflare-lists emulator --port 0 --token "$CLOUDFLARE_API_TOKEN" --pending-seconds 1 --running-seconds 2 \
    >"$fifo" 2>"$log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; rm -f "$fifo" "$log"' EXIT
exec 3<"$fifo"
read -r CLOUDFLARE_BASE_URL <&3 || { echo "demo: the emulator did not start:" >&2; cat "$log" >&2; exit 1; }
export CLOUDFLARE_BASE_URL
echo "== Emulator serving $CLOUDFLARE_BASE_URL"

api() {  # api METHOD PATH [JSON]: call the API, print the envelope's result as JSON
    python - "$@" <<'PY'
import json, os, sys, requests
method, path = sys.argv[1], sys.argv[2]
body = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
response = requests.request(method, os.environ["CLOUDFLARE_BASE_URL"] + path, json=body, timeout=10,
                            headers={"Authorization": "Bearer " + os.environ["CLOUDFLARE_API_TOKEN"]})
document = response.json()
if not document.get("success"):
    sys.exit("demo: {} {} failed: {}".format(method, path, document.get("errors")))
print(json.dumps(document["result"]))
PY
}
field() { python -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

export CLOUDFLARE_ACCOUNT_ID="$ACCOUNT_ID"
items=$(mktemp)
trap 'kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; rm -f "$fifo" "$log" "$items"' EXIT
printf '# written as people write them: Cloudflare stores 10.0.0.1, 192.168.1.0/24, 2001:db8::1\n%s\n' \
    10.0.0.1/32 192.168.1.5/24 2001:DB8::0001 >"$items"
echo "== cloudflare-lists sync demo_sync --kind ip --file items.txt: creates the list, one bulk operation"
cloudflare-lists sync demo_sync --kind ip --file "$items" --progress
echo "== The same sync again: nothing to change, no write"
cloudflare-lists sync demo_sync --file "$items" --progress
echo "== An edit, previewed with --dry-run: exactly that change, and no write"
printf '%s\n' 10.0.0.1 192.168.1.0/24 203.0.113.7 | cloudflare-lists sync demo_sync --file - --dry-run --progress

list_id=$(api POST "/accounts/$ACCOUNT_ID/rules/lists" '{"name": "demo_blocklist", "kind": "ip"}' | field id)
echo "== A write made elsewhere: created list demo_blocklist ($list_id)"
operation_id=$(api POST "/accounts/$ACCOUNT_ID/rules/lists/$list_id/items" \
    '[{"ip": "192.0.2.1", "comment": "demo"}, {"ip": "198.51.100.0/24"}, {"ip": "2001:db8::/48"}]' \
    | field operation_id)
echo "== Appended 3 items: operation $operation_id"
echo "== cloudflare-lists wait $ACCOUNT_ID $operation_id"
cloudflare-lists wait "$ACCOUNT_ID" "$operation_id" --progress

export DEMO_ACCOUNT_ID="$ACCOUNT_ID" DEMO_LIST_ID="$list_id"
echo "== Ansible: keep a blocklist (examples/ansible/blocklist.yml), a first run"
examples/ansible/run_blocklist.sh
echo "== Ansible: the same playbook again changes nothing"
examples/ansible/run_blocklist.sh
echo "== Ansible: an edit to its items, previewed with --check --diff"
examples/ansible/run_blocklist.sh --check --diff \
    -e '{"blocklist_items": [{"ip": "192.0.2.1", "comment": "credential stuffing, ticket 4711"}, "198.51.100.0/24", "203.0.113.7"]}'
if [ -x examples/ansible/run_demo.sh ]; then
    echo "== Ansible: the same wait from a playbook"
    examples/ansible/run_demo.sh
fi
# The Pulumi part runs through the real engine when it is built (make pulumi-engine), else through the provider
# server alone; each run_demo.py says which on its first line.
if engine=$(tools/build-pulumi.sh --check 2>/dev/null); then
    export PATH="$engine/bin:$PATH"
fi
echo "== Pulumi: a RulesList and two teams' ListItems (examples/pulumi/blocklist), deployed three times"
python examples/pulumi/blocklist/run_demo.py
echo "== Pulumi: BulkOperation waits on a replace of the list's items"
operation_id=$(api PUT "/accounts/$ACCOUNT_ID/rules/lists/$list_id/items" '[{"ip": "203.0.113.7"}]' | field operation_id)
CLOUDFLARE_ACCOUNT_ID="$ACCOUNT_ID" CLOUDFLARE_OPERATION_ID="$operation_id" python examples/pulumi/run_demo.py
echo "== Done: the emulator stops now."
