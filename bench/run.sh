#!/usr/bin/env bash
# The enterprise read benchmark of issue "Foundation": Peiyu against the bare Fastify + pg
# baseline (bench/baseline, a copy of ../shared/bench-baseline), same rows, same machine, same
# run, A B A B. Prints the baseline's table and ratios, and Peiyu's peak RSS under the load.
#
#   bash bench/run.sh                       # 100,000 enterprises, list / search / search_short / get
#   ENDPOINTS="list get" ROUNDS=1 bash bench/run.sh
#
# Environment: BENCH_N (100000), ENDPOINTS ("list search search_short get"), PEIYU_PORT (3000),
# PEIYU_LOG_LEVEL (info), BENCH_DATABASE_URL (postgres://root@127.0.0.1:5432/peiyu_bench),
# plus compare.sh's own (DURATION, CONNECTIONS, ROUNDS, WARMUP, BASELINE_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BENCH_N=${BENCH_N:-100000}
PEIYU_PORT=${PEIYU_PORT:-3000}
BENCH_DATABASE_URL=${BENCH_DATABASE_URL:-postgres://root@127.0.0.1:5432/peiyu_bench}
export BASELINE_DATABASE_URL=${BASELINE_DATABASE_URL:-postgres://root@127.0.0.1:5432/peiyu_baseline}
export ENDPOINTS=${ENDPOINTS:-list search search_short get}
export BENCH_N
OUT=${COMPARE_OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
export COMPARE_OUT=$OUT
ADMIN_EMAIL=bench-admin@example.com
ADMIN_PASSWORD=bench-password-1
log() { printf '%s\n' "$*" >&2; }

bash scripts/start-services.sh >/dev/null
(cd bench/baseline && { [ -d node_modules ] || npm ci --no-audit --no-fund >&2; })
npm run build >&2

# ---- the baseline's rows, then the same rows in Peiyu's database ----
rows=$(psql "$BASELINE_DATABASE_URL" -tAc "SELECT count(*) FROM enterprises WHERE NOT 'bench-load' = ANY(tags)" 2>/dev/null || echo missing)
if [ "$rows" != "$BENCH_N" ]; then
  log "seeding the baseline with $BENCH_N rows"
  (cd bench/baseline && node seed-baseline.mjs --n "$BENCH_N" >&2)
fi
log "copying the baseline's rows into $BENCH_DATABASE_URL"
node --input-type=module -e "
  import { migrateDatabase } from '$ROOT/dist/src/database/data-source.js';
  import pg from 'pg';
  const url = new URL(process.argv[1]); const name = url.pathname.slice(1);
  const admin = new URL(url); admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() }); await c.connect();
  await c.query('DROP DATABASE IF EXISTS \"' + name + '\" WITH (FORCE)'); await c.end();
  await migrateDatabase(process.argv[1]);
" "$BENCH_DATABASE_URL"
# The baseline's twelve officers become users, so its officer ids satisfy Peiyu's foreign key.
OFFICERS=$(cd bench/baseline && node --input-type=module -e "import { OFFICER_IDS } from './gen.mjs'; console.log(OFFICER_IDS.join(' '))")
i=0
for id in $OFFICERS; do
  i=$((i + 1))
  psql "$BENCH_DATABASE_URL" -qc "INSERT INTO users (id, email, name, password_hash, role) VALUES ('$id', 'officer$i@bench.test', 'officer $i', 'x', 'officer')"
done
psql "$BASELINE_DATABASE_URL" -qc "\copy (SELECT id, name, credit_code, credit_code_warning IS NOT NULL, registered_at, street, industry, tech_domain, contact_name, contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags, version, created_at, updated_at FROM enterprises WHERE NOT 'bench-load' = ANY(tags)) TO STDOUT" \
  | psql "$BENCH_DATABASE_URL" -qc "\copy enterprises (id, name, credit_code, credit_code_warning, registered_at, street, industry, tech_domain, contact_name, contact_email, contact_phone, officer_id, status, tier, reminders_enabled, tags, version, created_at, updated_at) FROM STDIN"
psql "$BENCH_DATABASE_URL" -qc "VACUUM ANALYZE"

# ---- Peiyu, API role only (no queue workers sharing the two cores), as a user would run it ----
# RATE_LIMIT_PER_MINUTE: the per-staff limit (600 a minute by default) would answer 429 under load.
APP_ROLE=api PORT=$PEIYU_PORT HOST=127.0.0.1 DATABASE_URL=$BENCH_DATABASE_URL QUEUE_PREFIX=peiyu-bench RATE_LIMIT_PER_MINUTE=1000000 \
  ADMIN_EMAIL=$ADMIN_EMAIL ADMIN_PASSWORD=$ADMIN_PASSWORD JWT_SECRET=bench-secret-0123456789abcdef \
  LOG_LEVEL=${PEIYU_LOG_LEVEL:-info} node dist/src/main.js >"$OUT/peiyu.log" 2>&1 &
PEIYU_PID=$!
SAMPLER_PID=
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  kill "$PEIYU_PID" 2>/dev/null || true
  wait "$PEIYU_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PEIYU_PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$PEIYU_PID" 2>/dev/null || { cat "$OUT/peiyu.log" >&2; exit 1; }
  sleep 0.5
done

# Peak resident memory of the Peiyu process while the load runs, sampled every 0.5 s.
( peak=0; while kill -0 "$PEIYU_PID" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$PEIYU_PID/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" >"$OUT/peiyu-peak-rss-kb"
    sleep 0.5
  done ) &
SAMPLER_PID=$!

PROJECT_BASE=http://127.0.0.1:$PEIYU_PORT PROJECT_EMAIL=$ADMIN_EMAIL PROJECT_PASSWORD=$ADMIN_PASSWORD \
  PROJECT_DATABASE_URL=$BENCH_DATABASE_URL bash bench/baseline/compare.sh | tee "$OUT/summary.txt"

peak_kb=$(cat "$OUT/peiyu-peak-rss-kb" 2>/dev/null || echo 0)
echo "peiyu peak RSS under load: $((peak_kb / 1024)) MB" | tee -a "$OUT/summary.txt"
echo "machine: nproc $(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB, node $(node -v), $(date -u +%FT%TZ)" | tee -a "$OUT/summary.txt"
