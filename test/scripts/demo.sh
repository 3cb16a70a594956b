#!/usr/bin/env bash
# make demo: sync the AWS emulator's sample organization into a throwaway PostgreSQL with the real
# CloudQuery CLI, then print the tables' row counts and the grant audit. Offline; state in .demo/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DEMO="$ROOT/.demo"
mkdir -p "$DEMO"

echo "==> building the plugin, the test destination, the emulator, the audit report and the CloudQuery CLI"
go build -o bin/cq-source-awskms .
go build -o bin/cq-destination-pgtest ./test/pgdest/cmd/cq-destination-pgtest
go build -o bin/awsemu ./test/emulator/cmd/awsemu
go build -o bin/kmsaudit ./cmd/kmsaudit
bash test/scripts/build-cloudquery.sh

bash test/scripts/ensure-postgres.sh

echo "==> starting PostgreSQL in $DEMO/pg"
DSN=$(bash test/scripts/pg-start.sh "$DEMO/pg")

echo "==> starting the AWS emulator (sample organization: 4 accounts, 2-3 regions, the grant scenario)"
[[ -f "$DEMO/awsemu.pid" ]] && kill "$(cat "$DEMO/awsemu.pid")" 2>/dev/null || true
bin/awsemu -addr 127.0.0.1:0 >"$DEMO/awsemu.out" 2>"$DEMO/awsemu.err" &
echo $! >"$DEMO/awsemu.pid"
stop_emulator() { kill "$(cat "$DEMO/awsemu.pid")" 2>/dev/null || true; rm -f "$DEMO/awsemu.pid"; }
trap stop_emulator EXIT
for _ in $(seq 100); do grep -q '^export AWS_REGION=' "$DEMO/awsemu.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^export AWS_REGION=' "$DEMO/awsemu.out" || { cat "$DEMO/awsemu.err" >&2; exit 1; }
# The emulator prints the management account's credentials as shell exports.
eval "$(grep '^export ' "$DEMO/awsemu.out")"
export AWSKMS_DEMO_ENDPOINT=$AWS_ENDPOINT_URL AWSKMS_DEMO_DSN=$DSN
unset AWS_ENDPOINT_URL AWS_PROFILE
export CQ_TELEMETRY_LEVEL=none AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

echo "==> cloudquery sync docs/examples/demo.yml"
bin/cloudquery sync docs/examples/demo.yml --cq-dir "$DEMO/cq" --log-file-name "$DEMO/cloudquery.log"

echo
echo "==> rows per table"
psql "$DSN" -X -q -At -F ' ' -c "
SELECT format('%-32s %8s', relname, n) FROM (
  SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text AS n
  FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
  WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'aws_%' ORDER BY c.relname) t"

echo
echo "==> the grant audit (docs/queries)"
bin/kmsaudit -dsn "$DSN" -max-rows 15

cat <<MSG

The data stays in PostgreSQL for you to explore:
    psql '$DSN'
for example:
    SELECT grant_id, grantee_principal, grantee_type, operations FROM aws_kms_key_grants WHERE is_delegating;
Stop the database with: make demo-stop
MSG
