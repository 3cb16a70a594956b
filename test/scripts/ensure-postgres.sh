#!/usr/bin/env bash
# ensure-postgres.sh: install Debian's PostgreSQL server package when no initdb is found, saying
# so, as .ci/run does. The callers start their own throwaway clusters, so the package's default
# cluster on port 5432 is not created. Needs root or passwordless sudo to install.
set -euo pipefail

have_postgres_server() {
	compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null
}

as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		echo "PostgreSQL is not installed and installing it needs root: run  sudo apt-get install -y postgresql  and try again" >&2
		return 1
	fi
}

if have_postgres_server; then
	exit 0
fi
echo "==> PostgreSQL server not found: installing Debian's postgresql package (apt-get)"
if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
	as_root mkdir -p /etc/postgresql-common
	echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update
as_root env DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 \
	install -y --no-install-recommends -o Dpkg::Options::=--force-confold postgresql
have_postgres_server || { echo "installed postgresql, but no initdb was found" >&2; exit 1; }
echo "==> PostgreSQL installed"
