#!/usr/bin/env bash
# Builds Pulumi YAML's language host, pulumi-language-yaml, from Go modules, so the engine runs `runtime: yaml`
# programs. Nothing comes from a release site: the Go module proxy serves github.com/pulumi/pulumi-yaml, which holds
# the host's main package. The result is cached per version outside the repository (beside the CLI that
# tools/build-pulumi.sh builds), and reused while it is there: a second run takes well under a second.
#
#   tools/build-pulumi-yaml.sh          builds (or finds) it; prints what it does on stderr, and on stdout the
#                                       folder whose bin/ holds pulumi-language-yaml (put it on PATH for the engine)
#   tools/build-pulumi-yaml.sh --check  only finds it: prints the folder, or exits 1 when it is not built
#   PULUMI_YAML_VERSION=1.25.0          another version the proxy serves
#   EDGEOPS_CACHE_DIR=/some/dir         where builds go (default ${XDG_CACHE_HOME:-~/.cache}/edgeops-cloudflare-lists)
#
# Needs Go 1.21 or later on PATH (it fetches the toolchain the module asks for through the proxy). The host depends
# on an older pulumi/pkg than the CLI, so a cold build downloads its own modules: about 4 minutes on 2 cores.
set -euo pipefail

version="${PULUMI_YAML_VERSION:-1.25.0}"
version="${version#v}"
cache_root="${EDGEOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeops-cloudflare-lists}"
root="$cache_root/pulumi-language-yaml-v$version"
bin="$root/bin"
module="$cache_root/pulumi-language-yaml-v$version-module"
say() { echo "build-pulumi-yaml: $*" >&2; }

works() {  # the host is in place, built from this version
    [ -x "$bin/pulumi-language-yaml" ] && [ "$(cat "$root/version" 2>/dev/null)" = "v$version" ]
}

if [ "${1:-}" = "--check" ]; then
    works && echo "$root" && exit 0
    say "pulumi-language-yaml v$version is not built in $root: run tools/build-pulumi-yaml.sh"
    exit 1
fi

mkdir -p "$cache_root"
# One build per version at a time: a second caller waits for the first, then finds the result.
exec 9>"$cache_root/pulumi-language-yaml-v$version.lock"
flock 9

if works; then
    say "pulumi-language-yaml v$version is built in $bin ($(cat "$root/build-seconds" 2>/dev/null || echo '?') s when first built)"
    echo "$root"
    exit 0
fi

command -v go >/dev/null || { say "Go is not on PATH: install Go 1.21 or later (https://go.dev/doc/install)"; exit 1; }
say "building pulumi-language-yaml v$version from Go modules into $bin (cold: about 4 minutes)"
say "with $(go version), GOMODCACHE=$(go env GOMODCACHE), GOCACHE=$(go env GOCACHE)"
started=$(date +%s)

# A throwaway module that depends on the host's module, and on nothing else: the host's own requirements (an older
# pulumi/pkg than the CLI's) are the ones it builds with.
mkdir -p "$module" "$bin"
cat >"$module/go.mod" <<EOF
module edgeops.invalid/pulumi-language-yaml

go 1.21

require github.com/pulumi/pulumi-yaml v$version
EOF
cat >"$module/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
EOF

export GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$module"
say "go mod tidy"
go mod tidy
say "go build github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
go build -trimpath -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$version" \
    -o "$bin/pulumi-language-yaml.partial" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
mv -f "$bin/pulumi-language-yaml.partial" "$bin/pulumi-language-yaml"

seconds=$(($(date +%s) - started))
echo "$seconds" >"$root/build-seconds"
echo "v$version" >"$root/version"
say "built pulumi-language-yaml v$version in $seconds s: $bin"
echo "$root"
