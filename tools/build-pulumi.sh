#!/usr/bin/env bash
# Builds the Pulumi CLI (the engine) from Go modules, and installs beside it the launcher the engine runs for Python
# dynamic providers. Nothing comes from a release site: the Go module proxy serves github.com/pulumi/pulumi/pkg/v3,
# which holds the CLI's main package. The result is cached per version outside the repository, and reused while
# it works: a second run takes about a second.
#
#   tools/build-pulumi.sh           builds (or finds) it; prints what it does on stderr, and on stdout the folder
#                                   whose bin/ holds `pulumi` (Automation API: PulumiCommand(root=that folder))
#   tools/build-pulumi.sh --check   only finds it: prints the folder, or exits 1 when it is not built
#   PULUMI_VERSION=3.275.0          another version the proxy serves (3.274.0 to 3.277.0; default 3.274.1)
#   EDGEOPS_CACHE_DIR=/some/dir     where builds go (default ${XDG_CACHE_HOME:-~/.cache}/edgeops-cloudflare-lists)
#
# Needs Go 1.21 or later on PATH (it fetches a newer toolchain through the module proxy when the CLI's module asks
# for one). A cold build downloads about 1.6 GB of modules into GOMODCACHE and fills about 1.8 GB of GOCACHE (Go's
# own defaults, kept between runs), and takes about 8 minutes on 2 cores.
set -euo pipefail

version="${PULUMI_VERSION:-3.274.1}"
version="${version#v}"
cache_root="${EDGEOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeops-cloudflare-lists}"
root="$cache_root/pulumi-v$version"
bin="$root/bin"
module="$cache_root/pulumi-v$version-module"
say() { echo "build-pulumi: $*" >&2; }

works() {  # the CLI answers with its version, and the launcher is in place
    [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-resource-pulumi-python" ] \
        && [ "$("$bin/pulumi" version 2>/dev/null)" = "v$version" ]
}

if [ "${1:-}" = "--check" ]; then
    works && echo "$root" && exit 0
    say "pulumi v$version is not built in $root: run tools/build-pulumi.sh (or make pulumi-engine)"
    exit 1
fi

mkdir -p "$cache_root"
# One build per version at a time: a second caller waits for the first, then finds the result.
exec 9>"$cache_root/pulumi-v$version.lock"
flock 9

if works; then
    say "pulumi v$version is built in $bin ($(cat "$root/build-seconds" 2>/dev/null || echo '?') s when first built)"
    echo "$root"
    exit 0
fi

command -v go >/dev/null || { say "Go is not on PATH: install Go 1.21 or later (https://go.dev/doc/install)"; exit 1; }
say "building pulumi v$version from Go modules into $bin (cold: about 8 minutes and 3.4 GB of Go caches)"
say "with $(go version), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE)"
started=$(date +%s)

# A throwaway module that depends on the CLI's module. A dependent module doesn't inherit pkg/v3's replace lines;
# its one non-local replace is repeated here, or the build picks a clipboard package that doesn't fit.
mkdir -p "$module" "$bin"
cat >"$module/go.mod" <<EOF
module edgeops.invalid/pulumi-cli

go 1.21

require github.com/pulumi/pulumi/pkg/v3 v$version

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
cat >"$module/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF

export GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$module"
say "go mod download; go mod tidy"
go mod download
go mod tidy
say "go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
# Without the version stamp `pulumi version` prints nothing, and the Automation API refuses the CLI.
go build -trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$bin/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
mv -f "$bin/pulumi.partial" "$bin/pulumi"

# The engine starts a Python dynamic provider as the plugin `pulumi-resource-pulumi-python`, found beside `pulumi`
# or on PATH. Like the SDK's own launcher, it runs the provider server with PULUMI_PYTHON_CMD, else the first
# python3 on PATH (a venv's, once it is activated).
cat >"$bin/pulumi-resource-pulumi-python.partial" <<'EOF'
#!/bin/sh
exec "${PULUMI_PYTHON_CMD:-python3}" -u -m pulumi.dynamic "$@"
EOF
chmod +x "$bin/pulumi-resource-pulumi-python.partial"
mv -f "$bin/pulumi-resource-pulumi-python.partial" "$bin/pulumi-resource-pulumi-python"

seconds=$(($(date +%s) - started))
echo "$seconds" >"$root/build-seconds"
works || { say "the CLI built in $bin does not answer 'pulumi version' with v$version"; exit 1; }
say "built pulumi v$version in $seconds s: $bin"
echo "$root"
