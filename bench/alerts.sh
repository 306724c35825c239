#!/usr/bin/env bash
# Yardstick alerts benchmark: the ingest API's throughput with runaway/budget detection on and off,
# side by side in one run (off, on, off, on, ... each on a fresh database and a fresh service). Every
# event is live (times spread over the last 24 hours), so detection has the most to do.
# See docs/benchmarks.md#runaway-detection-on-and-off.
#
# Usage: bench/alerts.sh           (about 6 minutes on 2 cores, plus a build when target/quarkus-app
#                                   has no jar yet)
#
# Needs java 17+, psql, curl, flock and a PostgreSQL on 127.0.0.1 where the user may create databases.
# Settings (environment): BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_DB=yardstick_bench_alerts  dropped and re-created before every pass
#   BENCH_ALERTS_PAIRS=2             (off, on) pairs
#   BENCH_EVENTS=200000              events in each measured round (3 rounds a pass)
#   BENCH_WARMUP=400000              warm-up events of each pass, in steps of 100,000
#   BENCH_SPAN_HOURS=24              event times spread over this many hours before now
#   BENCH_REBUILD=1                  rebuild the jar even if target/quarkus-app exists
# Only 127.0.0.1 is contacted. Results: bench/results/<stamp>-alerts.md (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_bench_alerts

build_jar
PGJAR="$(ls "$ROOT"/target/quarkus-app/lib/main/org.postgresql.postgresql-*.jar | head -1)"
SERVICE_LOG="$RESULTS/$STAMP-alerts-service.log"
OUT="$RESULTS/$STAMP-alerts.md"
declare -A RATES

for pair in $(seq 1 "${BENCH_ALERTS_PAIRS:-2}"); do
  for mode in off on; do
    recreate_db
    PORT="$(free_port 20000 45000)"
    ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    enabled=$([[ $mode == on ]] && echo true || echo false)
    start_service "$PORT" "$SERVICE_LOG" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" YARDSTICK_ALERTS_ENABLED="$enabled" \
      SLACK_SIGNING_SECRET= SLACK_BOT_TOKEN= YARDSTICK_PREVIEW_ENABLED=true
    log "pass $pair, detection $mode"
    line="$(timeout 1200 java -Xmx2g -cp "$PGJAR" bench/src/IngestBench.java \
      --base "http://127.0.0.1:$PORT" --admin-token "$ADMIN_TOKEN" \
      --jdbc "jdbc:postgresql://$PGHOST_:$PGPORT_/$DB" --db-user "$PGUSER_" \
      --out "$RESULTS" --stamp "$STAMP-alerts-$mode-$pair" --ingest-only true \
      --span-hours "${BENCH_SPAN_HOURS:-24}" --clients 4 --batch 1000 \
      --warmup-events 100000 --max-warmup-events "${BENCH_WARMUP:-400000}" \
      --events "${BENCH_EVENTS:-200000}" --rounds 3 \
      --service-pid "$SVC_PID" --clk-tck "$(getconf CLK_TCK)" | grep '^ingest ')"
    alerts="$(sql "select count(*) from alert")"
    stop_service
    RATES["$mode-$pair"]="${line#ingest } alerts=$alerts"
    log "pass $pair, detection $mode: ${RATES[$mode-$pair]}"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rates() {
  for k in "${!RATES[@]}"; do
    if [[ $k == "$1"-* ]]; then echo "${RATES[$k]}" | tr ' ' '\n' | grep -v = | cut -d: -f1 | tr -d ,; fi
  done | tr '\n' ' '
}
OFF="$(rates off | median)"
ON="$(rates on | median)"
RATIO="$(awk -v a="$ON" -v b="$OFF" 'BEGIN { printf "%.3f", a / b }')"
verdict=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.90) ? "pass" : "**MISS**" }')
{
  echo "# Alerts benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "Each pass: a fresh database and service, ${BENCH_WARMUP:-400000} warm-up events, then 3 rounds of ${BENCH_EVENTS:-200000} events (4 clients x 1,000-event NDJSON batches), times over the last ${BENCH_SPAN_HOURS:-24} h."
  echo
  echo "| Pass | Detection | Rounds: events/s : batch p50 ms : p99 ms : CPU |"
  echo "|---|---|---|"
  for pair in $(seq 1 "${BENCH_ALERTS_PAIRS:-2}"); do
    for mode in off on; do echo "| $pair | $mode | ${RATES[$mode-$pair]} |"; done
  done
  echo
  echo "| Ingest API, all events live | Result | Floor | Verdict |"
  echo "|---|---|---|---|"
  echo "| median of the rounds, detection off | **$OFF events/s** | | |"
  echo "| median of the rounds, detection on | **$ON events/s** | | |"
  echo "| on ÷ off | **$RATIO** | ≥ 0.90 | $verdict |"
} >"$OUT"
cat "$OUT"
