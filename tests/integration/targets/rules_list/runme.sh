#!/usr/bin/env bash
# Integration tests of edgeops.cloudflare_lists.rules_list (with rules_list_info) against the Lists API emulator.
#
# Two emulators on 127.0.0.1: "main", and "capped" that holds at most 3 items per account, so a bigger write fails
# its bulk operation. Then: the behaviour playbook; a --check --diff run compared with the real run that follows;
# 1,200 items written, then rewritten with no change (timed, and its requests counted); two plays writing two
# lists of one account at the same time; and a -vvv run that must not show the token.
# shellcheck disable=SC2154  # workdir and token are set by ../setup_emulator/emulator.sh, which is sourced below
set -eu -o pipefail
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

main_base_url="" capped_base_url=""
start_emulator main_base_url --pending-seconds 0.5 --running-seconds 1
start_emulator capped_base_url --pending-seconds 0.2 --running-seconds 0.2 --max-items 3

# Variables go through a file, which keeps the token off the command lines of ansible-playbook.
cat >"$workdir/vars.json" <<JSON
{"main_base_url": "$main_base_url", "capped_base_url": "$capped_base_url", "cloudflare_api_token": "$token"}
JSON
raw_playbook() { ansible-playbook -i "$INVENTORY_PATH" -e "@$workdir/vars.json" "$@" 2>&1; }
playbook() { raw_playbook "$@" | summarize_expected_failures; }
now() { python -c 'import time; print(time.monotonic())'; }
seconds_since() { python -c "import sys, time; print(f'{time.monotonic() - float(sys.argv[1]):.1f}')" "$1"; }

playbook rules_list.yml "$@"

# --check --diff shows exactly the change the real run then makes ---------------------------------------------
playbook diff.yml "$@"
edit=(-e '{"diff_items": ["192.0.2.1", "192.0.2.4"], "diff_description": "after"}')
playbook diff.yml --check --diff "${edit[@]}" >"$workdir/check.log"
playbook diff.yml --diff "${edit[@]}" >"$workdir/real.log"
diff_of() { sed -n '/^TASK \[Keep the items of diff_list\]/,/^changed: /p' "$1"; }
if ! cmp -s <(diff_of "$workdir/check.log") <(diff_of "$workdir/real.log"); then
    echo "runme.sh: the --check --diff output differs from the real run's:" >&2
    diff -u <(diff_of "$workdir/check.log") <(diff_of "$workdir/real.log") >&2 || true
    exit 1
fi
for line in '-    "description": "before",' '+    "description": "after",' \
    '-            "ip": "192.0.2.2"' '-            "ip": "192.0.2.3"' '+            "ip": "192.0.2.4"'; do
    if ! diff_of "$workdir/check.log" | grep -qxF -- "$line"; then
        echo "runme.sh: the --check --diff output lacks the line '$line':" >&2
        cat "$workdir/check.log" >&2
        exit 1
    fi
done
if diff_of "$workdir/check.log" | grep -q '^[-+] *"ip": "192.0.2.1"'; then
    echo "runme.sh: the diff shows the unchanged item 192.0.2.1 as changed" >&2
    exit 1
fi
echo "runme.sh: --check --diff showed the edit, the same as the real run that followed"

# 1,200 items ----------------------------------------------------------------------------------------------------
python - "$workdir/many.json" <<'PY'
import json, sys
items = [{"ip": f"10.{i // 250}.{i % 250}.1"} for i in range(1200)]
json.dump({"many_items": items}, open(sys.argv[1], "w"))
PY
started="$(now)"
playbook many_items.yml -e "@$workdir/many.json" -e expect_changed=true "$@"
echo "runme.sh: writing 1,200 items took $(seconds_since "$started") s (the playbook, with its checks)"
before="$(count_requests main_base_url)"
started="$(now)"
playbook many_items.yml -e "@$workdir/many.json" -e expect_changed=false "$@"
echo "runme.sh: the unchanged rerun of 1,200 items took $(seconds_since "$started") s, and sent" \
    "$(($(count_requests main_base_url) - before)) requests (the module's and the playbook's own check)"

# Two plays writing two lists of one account at once -----------------------------------------------------------
playbook one_of_two_lists.yml -e two_lists_name=first_of_two -e two_lists_prefix=192.0.2. "$@" \
    >"$workdir/first.log" 2>&1 &
first=$!
playbook one_of_two_lists.yml -e two_lists_name=second_of_two -e two_lists_prefix=198.51.100. "$@" \
    >"$workdir/second.log" 2>&1 &
second=$!
status=0
wait "$first" || { status=1; cat "$workdir/first.log"; }
wait "$second" || { status=1; cat "$workdir/second.log"; }
if [ "$status" -ne 0 ]; then
    echo "runme.sh: a play writing to one of two lists of the account failed" >&2
    exit 1
fi
echo "runme.sh: two plays wrote two lists of one account at the same time, and both succeeded"

# No secret at -vvv ----------------------------------------------------------------------------------------------
if ! raw_playbook no_secret_in_verbose_output.yml -vvv >"$workdir/verbose.log" 2>&1; then
    cat "$workdir/verbose.log"
    echo "runme.sh: the -vvv playbook failed" >&2
    exit 1
fi
assert_no_leak "$workdir/verbose.log"
echo "runme.sh: the -vvv output ($(wc -l <"$workdir/verbose.log") lines) contains neither the token nor a traceback"
