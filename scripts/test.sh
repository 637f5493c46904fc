#!/usr/bin/env bash
# The project's test command:
#
#   ./scripts/test.sh                      gofmt, go mod tidy, go vet, all tests, all benchmarks (1x)
#   ./scripts/test.sh -run TestX ./internal/store/...
#                                          gofmt, go mod tidy, go vet, then only `go test -count=1 ARGS`
#
# Unless SAASPLANE_TEST_POSTGRES_URL is already set, a throwaway PostgreSQL
# cluster is created in a temporary directory, started on a free port of
# 127.0.0.1, exported as SAASPLANE_TEST_POSTGRES_URL, and stopped and deleted
# on exit (including Ctrl-C and kill -TERM). PostgreSQL is installed with apt
# if its server binaries are missing (needs root).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || die "go not found in PATH"

# ---------------------------------------------------------------------------
# Cleanup: stop the running step, the cluster, remove the temp dir.

pg_tmp=""     # temp dir of our cluster, empty when we started none
pg_bin=""     # /usr/lib/postgresql/<ver>/bin
child=""      # pid (= process group id) of the running step

as_pg() {
	# Run a PostgreSQL command as the cluster owner, from a directory it can read.
	if [[ $EUID -eq 0 ]]; then
		(cd "$pg_tmp" && runuser -u postgres -- "$@")
	else
		(cd "$pg_tmp" && "$@")
	fi
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
		kill -TERM -- "-$child" 2>/dev/null || kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	if [[ -n $pg_tmp && -d $pg_tmp ]]; then
		if [[ -f $pg_tmp/data/postmaster.pid ]]; then
			as_pg "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
				as_pg "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
				printf 'test.sh: could not stop the PostgreSQL cluster in %s\n' "$pg_tmp" >&2
		fi
		rm -rf "$pg_tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Run a command in its own process group, in the background, and wait for it:
# a signal to this script then interrupts the wait at once, and cleanup kills
# the whole group (go test and its test binaries) instead of orphaning them.
run() {
	setsid "$@" &
	child=$!
	local rc=0
	wait "$child" || rc=$?
	child=""
	return "$rc"
}

# ---------------------------------------------------------------------------
# PostgreSQL

find_pg_bin() {
	# Highest version under /usr/lib/postgresql/*/bin that has the server binaries.
	local b best=""
	for b in /usr/lib/postgresql/*/bin; do
		[[ -x $b/initdb && -x $b/pg_ctl && -x $b/postgres ]] && best+="$b"$'\n'
	done
	[[ -n $best ]] && printf '%s' "$best" | sort -V | tail -n 1
	return 0
}

free_port() {
	if command -v python3 >/dev/null 2>&1 &&
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null; then
		return
	fi
	local p i
	for i in $(seq 1 100); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free TCP port found on 127.0.0.1"
}

start_postgres() {
	pg_bin=$(find_pg_bin)
	if [[ -z $pg_bin ]]; then
		[[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install them (apt-get install postgresql) or set SAASPLANE_TEST_POSTGRES_URL"
		step "installing PostgreSQL (apt-get)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y postgresql
		pg_bin=$(find_pg_bin)
		[[ -n $pg_bin ]] || die "PostgreSQL installed, but no initdb under /usr/lib/postgresql/*/bin"
	fi

	if [[ $EUID -eq 0 ]]; then
		if ! id -u postgres >/dev/null 2>&1; then
			local group
			if getent group postgres >/dev/null; then group=--gid=postgres; else group=--user-group; fi
			useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$group" postgres
		fi
		pg_tmp=$(mktemp -d /tmp/saasplane-pg.XXXXXX)   # /tmp: readable by postgres, short socket path
		chown postgres: "$pg_tmp"
	else
		pg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/saasplane-pg.XXXXXX")
	fi
	step "starting PostgreSQL ($pg_bin, as $([[ $EUID -eq 0 ]] && echo postgres || id -un)) in $pg_tmp"

	local locale=C
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=C.UTF-8; fi
	as_pg "$pg_bin/initdb" -D "$pg_tmp/data" -U postgres -A trust -E UTF8 --locale="$locale" --no-sync >"$pg_tmp/initdb.log" 2>&1 ||
		{ cat "$pg_tmp/initdb.log" >&2; die "initdb failed"; }
	as_pg mkdir "$pg_tmp/sock"
	as_pg tee -a "$pg_tmp/data/postgresql.conf" >/dev/null <<-EOF

		# saasplane test cluster
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$pg_tmp/sock'
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
	EOF

	# The port may be taken between probing and binding: retry a few times.
	local port="" attempt
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		if as_pg "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
			break
		fi
		port=""
		as_pg "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
	done
	[[ -n $port ]] || { cat "$pg_tmp/server.log" >&2 || true; die "PostgreSQL did not start"; }

	local i
	for i in $(seq 1 60); do
		"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
		[[ $i -lt 60 ]] || { cat "$pg_tmp/server.log" >&2 || true; die "PostgreSQL is not ready on port $port"; }
		sleep 0.5
	done
	as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres saasplane_test

	export SAASPLANE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/saasplane_test?sslmode=disable"
	echo "SAASPLANE_TEST_POSTGRES_URL=$SAASPLANE_TEST_POSTGRES_URL"
}

# ---------------------------------------------------------------------------
# Chromium, for the browser tests

ensure_chromium() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v "$b" >/dev/null 2>&1 && return 0
	done
	[[ $EUID -eq 0 ]] || die "chromium not found in PATH; install it (apt-get install chromium) or run as root"
	step "installing chromium (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }
	command -v chromium >/dev/null 2>&1 || die "chromium installed, but not in PATH"
}

# ---------------------------------------------------------------------------
# Checks and tests

step "gofmt -l ."
unformatted=$(gofmt -l .)
if [[ -n $unformatted ]]; then
	printf '%s\n' "$unformatted"
	die "the files above are not gofmt-formatted (run: gofmt -w .)"
fi

step "go mod tidy -diff"
if ! go mod tidy -diff; then
	die "go.mod or go.sum is not tidy (run: go mod tidy)"
fi

step "go vet ./..."
run go vet ./...

ensure_chromium
step "console build (scripts/build-console.sh: npm ci when needed, esbuild)"
run ./scripts/build-console.sh
export SAASPLANE_TEST_BROWSER=required
export SAASPLANE_TEST_ARTIFACTS="${SAASPLANE_TEST_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$SAASPLANE_TEST_ARTIFACTS"
echo "screenshots and other test artefacts: $SAASPLANE_TEST_ARTIFACTS"

# The database is needed only from here on.
if [[ -n ${SAASPLANE_TEST_POSTGRES_URL:-} ]]; then
	step "using the PostgreSQL server given in SAASPLANE_TEST_POSTGRES_URL"
else
	start_postgres
fi

if [[ $# -gt 0 ]]; then
	# Without a package pattern among the arguments, test all packages.
	has_pkg=""
	for a in "$@"; do
		case $a in . | .. | ./* | ../* | all | std | cmd | github.com/*) has_pkg=1 ;; esac
	done
	if [[ -n $has_pkg ]]; then
		step "go test -count=1 -timeout 15m $*"
		run go test -count=1 -timeout 15m "$@"
	else
		step "go test -count=1 -timeout 15m $* ./..."
		run go test -count=1 -timeout 15m "$@" ./...
	fi
else
	step "go test -count=1 -timeout 15m ./..."
	run go test -count=1 -timeout 15m ./...

	step "go test -count=1 -run='^\$' -bench=. -benchtime=1x ./..."
	run go test -count=1 -run='^$' -bench=. -benchtime=1x ./...
fi

step "all checks passed"
