#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the metering load test, started the way
# scripts/test.sh starts its own, but DURABLE (fsync, synchronous_commit and
# full_page_writes on, the defaults), so that its figures compare honestly
# with SQLite's synchronous=FULL.
#
#   bench/metering/pg.sh run CMD [ARGS...]
#       start a cluster, run CMD with BENCH_PG_URL (TCP on loopback) and
#       BENCH_PG_SOCKET_URL (the same database over the cluster's Unix
#       socket) set, stop and delete the cluster (also on Ctrl-C), exit
#       with CMD's status. For example:
#       bench/metering/pg.sh run sh -c 'go run ./bench/metering --database-url "$BENCH_PG_URL" --markdown'
#
#   eval "$(bench/metering/pg.sh start)"   # sets BENCH_PG_URL, BENCH_PG_SOCKET_URL and BENCH_PG_DIR
#   bench/metering/pg.sh stop "$BENCH_PG_DIR"
#
# Needs the PostgreSQL server binaries under /usr/lib/postgresql/*/bin
# (apt-get install postgresql). As root the cluster runs as user postgres.
set -euo pipefail

die() { printf 'pg.sh: %s\n' "$*" >&2; exit 1; }

find_pg_bin() {
	local b best=""
	for b in /usr/lib/postgresql/*/bin; do
		[[ -x $b/initdb && -x $b/pg_ctl && -x $b/postgres ]] && best+="$b"$'\n'
	done
	[[ -n $best ]] && printf '%s' "$best" | sort -V | tail -n 1
	return 0
}

pg_bin=$(find_pg_bin)
[[ -n $pg_bin ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"

as_pg() { # as the cluster owner, from a directory it can read
	local dir=$1
	shift
	if [[ $EUID -eq 0 ]]; then
		(cd "$dir" && runuser -u postgres -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null && return
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

# start: creates and starts the cluster; prints shell assignments on stdout.
start() {
	local dir
	if [[ $EUID -eq 0 ]]; then
		if ! id -u postgres >/dev/null 2>&1; then
			local group
			if getent group postgres >/dev/null; then group=--gid=postgres; else group=--user-group; fi
			useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$group" postgres
		fi
		dir=$(mktemp -d /tmp/saasplane-bench-pg.XXXXXX)
		chown postgres: "$dir"
	else
		dir=$(mktemp -d "${TMPDIR:-/tmp}/saasplane-bench-pg.XXXXXX")
	fi
	local locale=C
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=C.UTF-8; fi
	as_pg "$dir" "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale="$locale" >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
	as_pg "$dir" mkdir "$dir/sock"
	as_pg "$dir" tee -a "$dir/data/postgresql.conf" >/dev/null <<-EOF

		# saasplane metering bench cluster: durable, like SQLite synchronous=FULL
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir/sock'
		max_connections = 200
		fsync = on
		synchronous_commit = on
		full_page_writes = on
		shared_buffers = 256MB
		logging_collector = off
	EOF
	local port="" attempt
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		if as_pg "$dir" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
			break
		fi
		port=""
		as_pg "$dir" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	done
	[[ -n $port ]] || { cat "$dir/server.log" >&2 || true; rm -rf "$dir"; die "PostgreSQL did not start"; }
	as_pg "$dir" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres saasplane_bench >/dev/null
	printf 'BENCH_PG_URL=%q; export BENCH_PG_URL; BENCH_PG_SOCKET_URL=%q; export BENCH_PG_SOCKET_URL; BENCH_PG_DIR=%q; export BENCH_PG_DIR\n' \
		"postgres://postgres@127.0.0.1:$port/saasplane_bench?sslmode=disable" \
		"postgres://postgres@/saasplane_bench?host=$dir/sock&port=$port&sslmode=disable" "$dir"
}

stop() {
	local dir=$1
	[[ -n $dir && -d $dir && $dir == */saasplane-bench-pg.* ]] || die "stop: not a bench cluster directory: $dir"
	if [[ -f $dir/data/postmaster.pid ]]; then
		as_pg "$dir" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			as_pg "$dir" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
			printf 'pg.sh: could not stop the PostgreSQL cluster in %s\n' "$dir" >&2
	fi
	rm -rf "$dir"
}

case ${1:-} in
start)
	start
	;;
stop)
	[[ $# -eq 2 ]] || die "usage: pg.sh stop DIR"
	stop "$2"
	;;
run)
	shift
	[[ $# -gt 0 ]] || die "usage: pg.sh run CMD [ARGS...]"
	eval "$(start)"
	trap 'stop "$BENCH_PG_DIR"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	echo "pg.sh: PostgreSQL ($pg_bin) at $BENCH_PG_URL" >&2
	rc=0
	"$@" || rc=$?
	exit "$rc"
	;;
*)
	die "usage: pg.sh start | stop DIR | run CMD [ARGS...]"
	;;
esac
