#!/usr/bin/env bash
# Yardstick benchmark: ingest throughput vs PostgreSQL COPY, single-event latency, and summary reads
# over a 100-member team with 12 months of events. See docs/benchmarks.md.
#
# Usage: bench/run.sh            (from anywhere; about 5 minutes on 2 cores, plus a build when
#                                 target/quarkus-app has no jar yet)
#
# Needs: java 17+, psql, curl, flock, and a PostgreSQL on 127.0.0.1 on which the user below may
# create databases (and run CHECKPOINT). Settings (environment):
#   BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres (PGPASSWORD if not trust auth)
#   BENCH_DB=yardstick_bench      dropped and re-created at every run
#   BENCH_EVENTS=200000           events in each measured ingest round
#   BENCH_WARMUP=800000           ingest warm-up events (the service's JIT needs that many on 2 cores),
#   BENCH_WARMUP_STEP=100000      sent in steps of this many; each step's rate is reported
#   BENCH_ROUNDS=3                rounds of (ingest, COPY); the round with the median ratio is reported
#   BENCH_SINGLE=2000             single-event POSTs (after BENCH_SINGLE_WARMUP=3000: on 2 cores the JIT's C2
#                                 thread still took a third of the service's CPU 5-20 s into the POSTs after 200)
#   BENCH_SUMMARY_EVENTS=5000000  events of the 12-month team (BENCH_LOAD_DEADLINE=900 s at most)
#   BENCH_READS=50                summary reads per range (after BENCH_READ_WARMUP=10)
#   BENCH_REBUILD=1               rebuild the jar even if target/quarkus-app exists
#   BENCH_TIMEOUT=1800            hard limit of the bench client, in seconds
#   BENCH_SERVICE_JAVA_OPTS=      extra JVM options of the service, e.g. a flight recording:
#                                 -XX:StartFlightRecording=filename=/tmp/ys.jfr,settings=profile
#   BENCH_PG_LOG_STATEMENTS=1     log every statement of the bench database with its duration to
#                                 PostgreSQL's server log (diagnosis; slows the run a little)
# Only 127.0.0.1 is contacted. Results: bench/results/<stamp>.md and .json (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_bench


# 1. The jar.
build_jar
PGJAR="$(ls target/quarkus-app/lib/main/org.postgresql.postgresql-*.jar | head -1)"
[[ -f "$PGJAR" ]] || { echo "no pgjdbc jar in target/quarkus-app/lib/main" >&2; exit 1; }

# 2. A fresh database.
recreate_db
if [[ "${BENCH_PG_LOG_STATEMENTS:-0}" == 1 ]]; then
  psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d postgres \
    -c "ALTER DATABASE $DB SET log_min_duration_statement = 0" >/dev/null
fi

# 3. The service, on a free port of 127.0.0.1.
PORT="$(free_port 20000 32000)"
ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SLACK_SECRET="bench-signing-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
FAKE_SLACK_PORT="$(free_port 10000 19999)"
SERVICE_LOG="$RESULTS/$STAMP-service.log"
start_service "$PORT" "$SERVICE_LOG" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" YARDSTICK_RAW_RETENTION_DAYS=400 \
  SLACK_SIGNING_SECRET="$SLACK_SECRET" SLACK_BOT_TOKEN=xoxb-bench SLACK_API_URL="http://127.0.0.1:$FAKE_SLACK_PORT/api/"

# 4. The bench client (a single-file Java program; pgjdbc for JDBC and COPY).
timeout "${BENCH_TIMEOUT:-1800}" java -Xmx4g -cp "$PGJAR" bench/src/IngestBench.java \
  --base "http://127.0.0.1:$PORT" \
  --admin-token "$ADMIN_TOKEN" \
  --jdbc "jdbc:postgresql://$PGHOST_:$PGPORT_/$DB" \
  --db-user "$PGUSER_" \
  --out "$RESULTS" \
  --stamp "$STAMP" \
  --clients 4 --batch 1000 \
  --warmup-events "${BENCH_WARMUP_STEP:-100000}" \
  --max-warmup-events "${BENCH_WARMUP:-800000}" \
  --events "${BENCH_EVENTS:-200000}" \
  --rounds "${BENCH_ROUNDS:-3}" \
  --single-warmup "${BENCH_SINGLE_WARMUP:-3000}" \
  --single "${BENCH_SINGLE:-2000}" \
  --summary-events "${BENCH_SUMMARY_EVENTS:-5000000}" \
  --summary-members 100 \
  --load-deadline-seconds "${BENCH_LOAD_DEADLINE:-900}" \
  --read-warmup "${BENCH_READ_WARMUP:-10}" \
  --reads "${BENCH_READS:-50}" \
  --service-pid "$SVC_PID" --clk-tck "$(getconf CLK_TCK)" \
  --machine.nproc "$(nproc)" \
  --machine.free "$(free -h | awk '/^Mem:/ {print "total " $2 ", available " $7}')" \
  --machine.java-version "$(java -version 2>&1 | tr '\n' ' ' | sed 's/  */ /g')" \
  --machine.git "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')" \
  >/dev/null

# 5. /ai-spend ack time for a member of the 5M-event team (signed slash commands, fake Slack API
#    for Bolt's auth.test on loopback).
log "e. /ai-spend: ${BENCH_AISPEND:-500} signed commands after ${BENCH_AISPEND_WARMUP:-50} warm-up"
AISPEND="$(timeout 600 java bench/src/AiSpendBench.java "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$SLACK_SECRET" \
  "$FAKE_SLACK_PORT" bench-summary eng001@bench.example.com "${BENCH_AISPEND:-500}" "${BENCH_AISPEND_WARMUP:-50}")"
log "$AISPEND"
read -r _ n p50 p99 max <<<"$(echo "$AISPEND" | tr '=' ' ' | awk '{print $1, $3, $5, $7, $9}')"
verdict=$(awk -v v="$p99" 'BEGIN { print (v < 50) ? "pass" : "**MISS**" }')
{
  echo
  echo "| e. \`/ai-spend\` ack, member of the 5M-event team | Result | Floor | Verdict |"
  echo "|---|---|---|---|"
  echo "| $n signed slash commands, sequential, 1 client, after warm-up | p50 **$p50 ms**, p99 **$p99 ms** (max $max ms) | p99 < 50 ms | $verdict |"
} >>"$RESULTS/$STAMP.md"

stop_service
cp "$RESULTS/$STAMP.md" "$RESULTS/latest.md"
cat "$RESULTS/$STAMP.md"
log "results in bench/results/$STAMP.md (.json, -explain.txt, -service.log)"
