#!/usr/bin/env bash
# Builds the operator console into internal/console/dist, which the binary
# embeds (docs/console.md):
#
#   1. npm ci in web/console, only when node_modules is missing or older
#      than package-lock.json (npm fetches the JavaScript packages only;
#      install scripts are not run);
#   2. go run ./internal/console/build: esbuild's Go API bundles the
#      sources, writing only the files whose content changed.
#
# Run it before `go build` for a binary with the console; without it,
# /console answers a page saying how to build it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { printf 'build-console.sh: %s\n' "$*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="$PATH:/usr/local/go/bin"
fi

dir=web/console
stamp=$dir/node_modules/.package-lock.json # written by npm ci
if [[ ! -f $stamp || $dir/package-lock.json -nt $stamp ]]; then
	if ! command -v npm >/dev/null 2>&1; then
		[[ $EUID -eq 0 ]] || die "npm not found in PATH; install Node.js and npm (apt-get install nodejs npm)"
		printf '==> installing Node.js and npm (apt-get)\n'
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y nodejs npm || { apt-get update && apt-get install -y nodejs npm; }
	fi
	printf '==> npm ci in %s\n' "$dir"
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
fi

go run ./internal/console/build
