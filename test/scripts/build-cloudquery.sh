#!/usr/bin/env bash
# Builds the CloudQuery CLI pinned in tools/cloudquery/go.mod into bin/cloudquery.
# Skips the build when bin/cloudquery is newer than the pin (tools/cloudquery/go.mod and go.sum).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$ROOT/bin/cloudquery"
pin="$ROOT/tools/cloudquery"

if [[ -x "$out" && "$out" -nt "$pin/go.sum" && "$out" -nt "$pin/go.mod" ]]; then
	echo "bin/cloudquery is up to date" >&2
	exit 0
fi

mkdir -p "$ROOT/bin"
# Build next to the target and rename, so an interrupted build never leaves a broken binary behind.
tmp=$(mktemp "$ROOT/bin/.cloudquery.XXXXXX")
trap 'rm -f "$tmp"' EXIT
echo "building the CloudQuery CLI into bin/cloudquery (takes a few minutes the first time)" >&2
go -C "$pin" build -o "$tmp" github.com/cloudquery/cloudquery/cli/v6
chmod 755 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
"$out" --version >&2
