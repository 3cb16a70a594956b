#!/usr/bin/env bash
# make demo-stop: stop what make demo left running and remove its state.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEMO="$ROOT/.demo"
[[ -f "$DEMO/awsemu.pid" ]] && kill "$(cat "$DEMO/awsemu.pid")" 2>/dev/null || true
[[ -d "$DEMO/pg" ]] && bash "$ROOT/test/scripts/pg-stop.sh" "$DEMO/pg" || true
rm -rf "$DEMO"
echo "demo stopped"
