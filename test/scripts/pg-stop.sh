#!/usr/bin/env bash
# Usage: pg-stop.sh DIR
# Stops the cluster pg-start.sh started in DIR (fast shutdown). Does nothing when it is not running.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

data="$(realpath -m "$1")/data"
if [[ ! -f "$data/PG_VERSION" ]]; then
	echo "no PostgreSQL cluster in $1" >&2
	exit 0
fi
bin=$(pg_bin_dir)
if as_server_user "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
	as_server_user "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >&2
else
	echo "PostgreSQL in $1 is not running" >&2
fi
