#!/usr/bin/env bash
# Sourced by the runme.sh of the targets that need the Lists API emulator (their aliases say
# needs/target/setup_emulator). Provides:
#   token                  a fresh random token per run, so finding it in any output can only mean a leak
#   workdir                a temporary directory, removed on exit
#   start_emulator VAR [EMULATOR OPTIONS...]
#                          starts an emulator on 127.0.0.1 and sets VAR to its base URL; it logs one line per
#                          request to "$workdir/VAR.err" (see count_requests); every emulator stops on exit
#   count_requests VAR     how many requests the emulator VAR has served so far
#   assert_no_leak LOG     fails when LOG holds the token or a traceback
#   summarize_expected_failures  a filter that shows each expected failure as one line (expected_errors.sh)
# and exports CLOUDFLARE_API_TOKEN (the modules find the token there when no option gives one).

# shellcheck source=./expected_errors.sh
source "$(dirname "${BASH_SOURCE[0]}")/expected_errors.sh"

workdir="$(mktemp -d)"
emulator_pids=()

stop_emulators() {
    local pid
    for pid in "${emulator_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap stop_emulators EXIT

# The modules' request budget and account locks live in the user's cache folder: here, in this run's own.
export XDG_CACHE_HOME="$workdir/cache"

token="itest-$(python -c 'import secrets; print(secrets.token_hex(20))')"

start_emulator() {
    local name="$1" pid line
    shift
    : >"$workdir/$name.out"  # exists before the emulator's shell opens it, so the first read cannot fail
    python -m edgeops_cloudflare_lists.emulator --port 0 --token "$token" --verbose "$@" \
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
    echo "emulator.sh: the emulator for $name did not start:" >&2
    cat "$workdir/$name.err" >&2
    return 1
}

count_requests() {
    grep -c ' /client/v4/' "$workdir/$1.err" || true
}

assert_no_leak() {
    local log="$1"
    if grep -qF -- "$token" "$log"; then
        echo "emulator.sh: the token appears in $log, on these lines:" >&2
        grep -nF -- "$token" "$log" | sed "s/$token/<TOKEN>/g" >&2
        return 1
    fi
    if grep -q "Traceback" "$log"; then
        echo "emulator.sh: $log contains a traceback:" >&2
        cat "$log" >&2
        return 1
    fi
}

unset CLOUDFLARE_TOKEN CLOUDFLARE_EMAIL CLOUDFLARE_API_KEY CLOUDFLARE_BASE_URL CLOUDFLARE_ACCOUNT_ID
export CLOUDFLARE_API_TOKEN="$token"
