#!/usr/bin/env bash
# Integration tests of edgeops.cloudflare_lists.bulk_operation_info against the Lists API emulator.
#
# Starts two emulators on 127.0.0.1 (one quick, one that keeps operations pending for a minute), runs the
# behaviour playbook against them, then runs a playbook at -vvv and checks that its output never contains the
# token. The emulators stop when this script exits, whatever happens.
set -eu -o pipefail

workdir="$(mktemp -d)"
emulator_pids=()

cleanup() {
    local pid
    for pid in "${emulator_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT

# A fresh random token per run, so finding it in the output can only mean a leak.
token="itest-$(python -c 'import secrets; print(secrets.token_hex(20))')"

start_emulator() {  # start_emulator VARIABLE [EMULATOR OPTIONS...]: sets VARIABLE to the emulator's base URL
    local name="$1" pid line
    shift
    : >"$workdir/$name.out"  # exists before the emulator's shell opens it, so the first read cannot fail
    python -m edgeops_cloudflare_lists.emulator --port 0 --token "$token" "$@" \
        >"$workdir/$name.out" 2>"$workdir/$name.err" &
    pid=$!
    emulator_pids+=("$pid")
    for _ in $(seq 100); do
        if read -r line <"$workdir/$name.out" && [ -n "$line" ]; then
            printf -v "$name" '%s' "$line"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    echo "runme.sh: the emulator for $name did not start:" >&2
    cat "$workdir/$name.err" >&2
    return 1
}

quick_url="" slow_url=""
# The playbook also checks the legacy scheme: with --token given, the emulator accepts the legacy pair only when
# it is given too.
start_emulator quick_url --pending-seconds 0.3 --running-seconds 0.5 --email user@example.com --api-key emulator-key
start_emulator slow_url --pending-seconds 60 --running-seconds 60

# Variables go through a file, which keeps the token off the command lines of ansible-playbook.
cat >"$workdir/vars.json" <<JSON
{"quick_base_url": "$quick_url", "slow_base_url": "$slow_url", "cloudflare_api_token": "$token"}
JSON

# The module must find the token in the environment when no option gives one.
unset CLOUDFLARE_TOKEN CLOUDFLARE_EMAIL CLOUDFLARE_API_KEY CLOUDFLARE_BASE_URL
export CLOUDFLARE_API_TOKEN="$token"

# shellcheck source=../setup_emulator/expected_errors.sh
source ../setup_emulator/expected_errors.sh  # summarize_expected_failures

ansible-playbook -i "$INVENTORY_PATH" bulk_operation_info.yml -e "@$workdir/vars.json" "$@" 2>&1 | summarize_expected_failures

verbose_log="$workdir/verbose.log"
if ! ansible-playbook -i "$INVENTORY_PATH" no_secret_in_verbose_output.yml -e "@$workdir/vars.json" -vvv \
    >"$verbose_log" 2>&1; then
    cat "$verbose_log"
    echo "runme.sh: the -vvv playbook failed" >&2
    exit 1
fi
if grep -qF -- "$token" "$verbose_log"; then
    echo "runme.sh: the token appears in the -vvv output, on these lines:" >&2
    grep -nF -- "$token" "$verbose_log" | sed "s/$token/<TOKEN>/g" >&2
    exit 1
fi
if grep -q "Traceback" "$verbose_log"; then
    echo "runme.sh: the -vvv output contains a traceback:" >&2
    cat "$verbose_log" >&2
    exit 1
fi
echo "runme.sh: the -vvv output ($(wc -l <"$verbose_log") lines) contains neither the token nor a traceback"
