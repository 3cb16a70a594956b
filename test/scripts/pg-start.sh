#!/usr/bin/env bash
# Usage: pg-start.sh DIR
# Starts (creating it on first use) a throwaway PostgreSQL cluster in DIR, listening on 127.0.0.1 and a
# free port, trusting local connections. Prints its DSN on stdout; everything else goes to stderr.
# Stop it with pg-stop.sh DIR. Running it again while the cluster runs just prints the DSN.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

dir=$(realpath -m "$1")
bin=$(pg_bin_dir)
data="$dir/data"

mkdir -p "$dir"
if [[ $(id -u) -eq 0 ]]; then
	chown "${PGTEST_USER:-postgres}:" "$dir"
	chmod 700 "$dir"
	if ! runuser -u "${PGTEST_USER:-postgres}" -- test -w "$dir"; then
		echo "account ${PGTEST_USER:-postgres} cannot write $dir (a parent directory is private?); use a directory under /tmp" >&2
		exit 1
	fi
fi

dsn() { echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres?sslmode=disable"; }

if [[ -f "$data/PG_VERSION" ]] && as_server_user "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
	dsn
	exit 0
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
	as_server_user "$bin/initdb" --pgdata "$data" --username postgres --auth trust \
		--encoding UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
fi

# Pick a port nobody listens on: a connection attempt that fails means it is free.
port=""
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		port=$candidate
		break
	fi
done
if [[ -z "$port" ]]; then
	echo "no free TCP port found on 127.0.0.1" >&2
	exit 1
fi

# Durability settings are off: the cluster is throwaway.
if ! as_server_user "$bin/pg_ctl" start -D "$data" -l "$dir/postgres.log" -w -t 60 \
	-o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2; then
	tail -n 30 "$dir/postgres.log" >&2 || true
	exit 1
fi
echo "$port" >"$dir/port"
dsn
