#!/usr/bin/env bash
# Yardstick OTLP benchmark: intake of Claude Code's claude_code.api_request log records over OTLP/HTTP
# protobuf (POST /v1/logs) into the ledger, against the packaged service. See docs/benchmarks.md.
#
# Usage: bench/otlp.sh             (about 2 minutes on 2 cores, plus a build when target/quarkus-app
#                                   has no jar yet)
#
# Needs java 17+, psql, curl, flock and a PostgreSQL on 127.0.0.1 where the user may create databases.
# Settings (environment): BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_DB=yardstick_bench_otlp    dropped and re-created at every run
#   BENCH_OTLP_CLIENTS=4             concurrent senders
#   BENCH_OTLP_BATCH=500             log records per export request
#   BENCH_OTLP_WARMUP=800000         warm-up events (the service's JIT), not measured
#   BENCH_OTLP_EVENTS=400000         measured events
#   BENCH_OTLP_MEMBERS=100           people the events come from (one team)
#   BENCH_REBUILD=1                  rebuild the jar even if target/quarkus-app exists
# Only 127.0.0.1 is contacted. Results: bench/results/<stamp>-otlp.md (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_bench_otlp
CLIENTS="${BENCH_OTLP_CLIENTS:-4}"
BATCH="${BENCH_OTLP_BATCH:-500}"
WARMUP="${BENCH_OTLP_WARMUP:-800000}"
EVENTS="${BENCH_OTLP_EVENTS:-400000}"
MEMBERS="${BENCH_OTLP_MEMBERS:-100}"

build_jar
recreate_db
LIB="$ROOT/target/quarkus-app/lib/main"
CP="$(ls "$LIB"/io.opentelemetry.proto.opentelemetry-proto-*.jar | head -1):$(ls "$LIB"/com.google.protobuf.protobuf-java-[0-9]*.jar | head -1)"
PORT="$(free_port 20000 32000)"
ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVICE_LOG="$RESULTS/$STAMP-otlp-service.log"
start_service "$PORT" "$SERVICE_LOG" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" SLACK_SIGNING_SECRET= SLACK_BOT_TOKEN= \
  YARDSTICK_DIGEST_ENABLED=false

log "OTLP/HTTP protobuf: $CLIENTS senders x $BATCH-record batches, $WARMUP warm-up events, then $EVENTS measured"
OUT="$(timeout 1200 java -Xmx3g -cp "$CP" bench/src/OtlpBench.java "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" \
  "$CLIENTS" "$BATCH" "$WARMUP" "$EVENTS" "$MEMBERS")"
log "$OUT"
STORED="$(sql "select count(*) from usage_event_named where origin = 'l' and tool = 'claude-code'")"
stop_service

read -r n secs rate p50 p99 max <<<"$(echo "$OUT" | tr '=' ' ' | awk '{print $2, $4, $6, $8, $10, $12}')"
verdict=$(awk -v r="$rate" 'BEGIN { print (r >= 20000) ? "pass" : "**MISS**" }')
{
  echo "# OTLP benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo
  echo "| OTLP/HTTP protobuf intake of claude_code.api_request | Result | Floor | Verdict |"
  echo "|---|---|---|---|"
  echo "| $CLIENTS senders x $BATCH-record /v1/logs batches, $n events after $WARMUP warm-up | **$rate events/s** ($secs s; batch p50 $p50 ms, p99 $p99 ms, max $max ms) | 20,000 events/s | $verdict |"
  echo
  echo "Usage events stored: $STORED (warm-up included); the team summary's request count matched what was sent."
} >"$RESULTS/$STAMP-otlp.md"
cat "$RESULTS/$STAMP-otlp.md"
