#!/usr/bin/env bash
# Yardstick alerts benchmark: the ingest API's throughput with runaway/budget detection on and off,
# side by side in one run (off, on, off, on, ... each on a fresh database and a fresh service), for two
# workloads: the ingest benchmark's (event times spread over the last 7 days, a seventh of them live)
# and a live stream (times within the last minute, as agents report as they go).
# See docs/benchmarks.md#runaway-detection-on-and-off.
#
# Usage: bench/alerts.sh           (about 23 minutes on 2 cores, plus a build when target/quarkus-app
#                                   has no jar yet)
#
# Needs java 17+, psql, curl, flock and a PostgreSQL on 127.0.0.1 where the user may create databases.
# Settings (environment): BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_DB=yardstick_bench_alerts  dropped and re-created before every pass
#   BENCH_ALERTS_PAIRS=4             (off, on) pairs per workload
#   BENCH_ALERTS_WORKLOADS="week live"  which workloads
#   BENCH_EVENTS=200000              events in each measured round (3 rounds a pass)
#   BENCH_WARMUP=800000              warm-up events of each pass, in steps of 100,000
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
# workload name -> span of event times in seconds
declare -A SPANS=([week]=604800 [live]=60)
read -r -a WORKLOADS <<<"${BENCH_ALERTS_WORKLOADS:-week live}"

for w in "${WORKLOADS[@]}"; do
  for pair in $(seq 1 "${BENCH_ALERTS_PAIRS:-4}"); do
    for mode in off on; do
      recreate_db
      PORT="$(free_port 20000 32000)"
      ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
      enabled=$([[ $mode == on ]] && echo true || echo false)
      start_service "$PORT" "$SERVICE_LOG" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" YARDSTICK_ALERTS_ENABLED="$enabled" \
        YARDSTICK_RAW_RETENTION_DAYS=400 SLACK_SIGNING_SECRET= SLACK_BOT_TOKEN= YARDSTICK_PREVIEW_ENABLED=true
      log "$w workload, pass $pair, detection $mode"
      line="$(timeout 1200 java -Xmx2g -cp "$PGJAR" bench/src/IngestBench.java \
        --base "http://127.0.0.1:$PORT" --admin-token "$ADMIN_TOKEN" \
        --jdbc "jdbc:postgresql://$PGHOST_:$PGPORT_/$DB" --db-user "$PGUSER_" \
        --out "$RESULTS" --stamp "$STAMP-alerts-$w-$mode-$pair" --ingest-only true \
        --span-seconds "${SPANS[$w]}" --clients 4 --batch 1000 \
        --warmup-events 100000 --max-warmup-events "${BENCH_WARMUP:-800000}" \
        --events "${BENCH_EVENTS:-200000}" --rounds 3 \
        --service-pid "$SVC_PID" --clk-tck "$(getconf CLK_TCK)" | grep '^ingest ')"
      alerts="$(sql "select count(*) from alert")"
      minutes="$(sql "select count(*) from usage_session_minute")"
      shared="$(sql "select count(*) from watch_session")"
      stop_service
      RATES["$w-$mode-$pair"]="${line#ingest } alerts=$alerts shared_sessions=$shared minute_rows=$minutes"
      log "$w workload, pass $pair, detection $mode: ${RATES[$w-$mode-$pair]}"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rates() {
  for k in "${!RATES[@]}"; do
    if [[ $k == "$1"-* ]]; then echo "${RATES[$k]}" | tr ' ' '\n' | grep -v = | cut -d: -f1 | tr -d ,; fi
  done | tr '\n' ' '
}
{
  echo "# Alerts benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "Each pass: a fresh database and service, ${BENCH_WARMUP:-800000} warm-up events, then 3 rounds of ${BENCH_EVENTS:-200000} events (4 clients x 1,000-event NDJSON batches, 50 people)."
  echo
  echo "| Workload | Pass | Detection | Rounds: events/s : batch p50 ms : p99 ms : CPU |"
  echo "|---|---|---|---|"
  for w in "${WORKLOADS[@]}"; do
    for pair in $(seq 1 "${BENCH_ALERTS_PAIRS:-4}"); do
      for mode in off on; do echo "| $w | $pair | $mode | ${RATES[$w-$mode-$pair]} |"; done
    done
  done
  echo
  echo "| Ingest API (median of the rounds) | Detection off | Detection on | on ÷ off | Floor | Verdict |"
  echo "|---|---|---|---|---|---|"
  for w in "${WORKLOADS[@]}"; do
    off="$(rates "$w-off" | median)"
    on="$(rates "$w-on" | median)"
    ratio="$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')"
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.90) ? "pass" : "**MISS**" }')
    echo "| $w (event times over the last ${SPANS[$w]} s) | $off events/s | $on events/s | **$ratio** | ≥ 0.90 | $verdict |"
  done
} >"$OUT"
cat "$OUT"
