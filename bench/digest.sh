#!/usr/bin/env bash
# Yardstick digest benchmark: composing the weekly digests of 1,000 teams (10 members each, 12 weeks
# of data), excluding delivery. See docs/benchmarks.md.
#
# Usage: bench/digest.sh           (about 3 minutes on 2 cores, plus a build when target/quarkus-app
#                                   has no jar yet)
#
# Needs java 17+, psql, curl, flock and a PostgreSQL on 127.0.0.1 where the user may create databases.
# Settings (environment): BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_DB=yardstick_bench_digest  dropped and re-created at every run
#   BENCH_DIGEST_TEAMS=1000 BENCH_DIGEST_MEMBERS=10 BENCH_DIGEST_WEEKS=12
#   BENCH_REBUILD=1                  rebuild the jar even if target/quarkus-app exists
# Only 127.0.0.1 is contacted. Results: bench/results/<stamp>-digest.md (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_bench_digest
TEAMS="${BENCH_DIGEST_TEAMS:-1000}"
MEMBERS="${BENCH_DIGEST_MEMBERS:-10}"
WEEKS="${BENCH_DIGEST_WEEKS:-12}"

build_jar
recreate_db
PORT="$(free_port 20000 32000)"
ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVICE_LOG="$RESULTS/$STAMP-digest-service.log"
COMMON=(YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" YARDSTICK_RAW_RETENTION_DAYS=400 SLACK_SIGNING_SECRET= SLACK_BOT_TOKEN=)

# 1. The organisation, through the ingest and admin APIs, with digests off.
start_service "$PORT" "$SERVICE_LOG" "${COMMON[@]}" YARDSTICK_DIGEST_ENABLED=false
log "loading $TEAMS teams x $MEMBERS members, $WEEKS weeks of usage and shipped work"
LOADED="$(timeout 1200 java bench/src/DigestBench.java "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$TEAMS" "$MEMBERS" "$WEEKS")"
log "$LOADED"
stop_service
sql "CHECKPOINT" >/dev/null

# 2. Digests on: at its first tick the digest job finds every team due, and composes (ledger figures,
#    message, chart data) and queues each team's digest of the week just ended, on one worker per core.
#    Messages go to the local preview (no chat credentials), so delivery is a row update.
start_service "$PORT" "$SERVICE_LOG" "${COMMON[@]}" YARDSTICK_DIGEST_ENABLED=true YARDSTICK_DIGEST_EVERY=1h \
  YARDSTICK_JOBS_TICK=1s YARDSTICK_JOBS_FIRST_DELAY=1s
log "waiting for the digest job to compose $TEAMS digests"
deadline=$((SECONDS + 600))
until [[ "$(sql "select count(*) from cluster_job where name = 'digest' and runs >= 1 and locked_by is null and last_finished_at is not null")" == 1 ]]; do
  (( SECONDS < deadline )) || { echo "the digest job did not finish within 600 s" >&2; exit 1; }
  sleep 0.5
done
QUEUED="$(sql "select count(*) from outbox_message where dedupe_key like 'digest:%' and dedupe_key not like '%:chart'")"
[[ "$QUEUED" -ge "$TEAMS" ]] || { echo "only $QUEUED of $TEAMS digests queued" >&2; exit 1; }
JOB="$(sql "select round(extract(epoch from last_finished_at - last_started_at)::numeric, 2) from cluster_job where name = 'digest'")"

# 3. The charts, drawn as PNGs when their signed URLs are fetched, as Slack and Teams fetch them: their paths
#    collected from the preview (which signs them), then fetched two at a time (two cores), timed inside the
#    service (yardstick_chart_draw_seconds).
log "collecting the $TEAMS charts' signed paths from the preview"
CHARTS="$RESULTS/$STAMP-digest-charts.txt"
sql "select distinct target from outbox_message where platform = 'preview' and dedupe_key like 'digest:%'" \
  | xargs -P 2 -I{} curl -fsS "http://127.0.0.1:$PORT/preview?to={}" \
  | grep -o '/images/[A-Za-z0-9_-]*/[0-9]*/[A-Za-z0-9_-]*\.png' | sort -u > "$CHARTS"
log "drawing the $(wc -l < "$CHARTS") charts"
CHART_START=$(date +%s.%N)
xargs -P 2 -I{} curl -fsS -o /dev/null "http://127.0.0.1:$PORT{}" < "$CHARTS"
CHART_WALL=$(awk -v a="$CHART_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
METRICS="$(curl -fsS "http://127.0.0.1:$PORT/q/metrics")"
metric() { echo "$METRICS" | awk -v m="$1" '$1 == m {print $2}'; }
COMPOSE_N="$(metric yardstick_digest_compose_seconds_count)"
COMPOSE_SUM="$(metric yardstick_digest_compose_seconds_sum)"
COMPOSE_MAX="$(metric yardstick_digest_compose_seconds_max)"
DRAW_N="$(metric yardstick_chart_draw_seconds_count)"
DRAW_SUM="$(metric yardstick_chart_draw_seconds_sum)"
stop_service

ms() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f", s / n * 1000 }'; }
verdict=$(awk -v s="$JOB" 'BEGIN { print (s < 10) ? "pass" : "**MISS**" }')
{
  echo "# Digest benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "Loaded through the APIs: $LOADED"
  echo
  echo "| Weekly digests of $TEAMS teams | Result | Floor | Verdict |"
  echo "|---|---|---|---|"
  echo "| Composing and queueing them: the digest job's run, first run after start (wall) | **$JOB s** | under 10 s | $verdict |"
  echo "| of which composing one digest (ledger figures and message), summed over $COMPOSE_N digests on $(nproc) workers | $(printf '%.2f' "$COMPOSE_SUM") s ($(ms "$COMPOSE_SUM" "$COMPOSE_N") ms each, slowest $(ms "$COMPOSE_MAX" 1) ms) | | |"
  echo "| Drawing their charts as 800x400 PNGs (when their signed URLs are fetched), $DRAW_N charts, 2 at a time | $(printf '%.2f' "$DRAW_SUM") s summed ($(ms "$DRAW_SUM" "$DRAW_N") ms each), $CHART_WALL s wall | | |"
} >"$RESULTS/$STAMP-digest.md"
cat "$RESULTS/$STAMP-digest.md"
