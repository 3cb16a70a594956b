# Shared helpers for pg-start.sh and pg-stop.sh (sourced, not run).
# Environment: PGTEST_BIN_DIR (directory of initdb/pg_ctl), PGTEST_USER (account used when run as root).

# pg_bin_dir prints the directory holding initdb and pg_ctl.
pg_bin_dir() {
	if [[ -n "${PGTEST_BIN_DIR:-}" ]]; then
		echo "$PGTEST_BIN_DIR"
		return
	fi
	local initdb
	if initdb=$(command -v initdb 2>/dev/null); then
		dirname "$(readlink -f "$initdb")"
		return
	fi
	# Debian keeps the server binaries off PATH, one directory per major version.
	local dir
	dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n | tail -n1)
	if [[ -z "$dir" ]]; then
		echo "PostgreSQL server binaries not found: install them with 'apt-get install -y postgresql' or set PGTEST_BIN_DIR" >&2
		return 1
	fi
	echo "$dir"
}

# as_server_user runs a command as the account owning the cluster: initdb and pg_ctl refuse root.
as_server_user() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u "${PGTEST_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}
