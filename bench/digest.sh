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
PGHOST_="${BENCH_PGHOST:-127.0.0.1}"
PGPORT_="${BENCH_PGPORT:-5432}"
PGUSER_="${BENCH_PGUSER:-postgres}"
DB="${BENCH_DB:-yardstick_bench_digest}"
case "$PGHOST_" in 127.0.0.1|localhost) ;; *) echo "BENCH_PGHOST must be 127.0.0.1 or localhost" >&2; exit 2 ;; esac
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lowercase name" >&2; exit 2; }
TEAMS="${BENCH_DIGEST_TEAMS:-1000}"
MEMBERS="${BENCH_DIGEST_MEMBERS:-10}"
WEEKS="${BENCH_DIGEST_WEEKS:-12}"
RESULTS="$ROOT/bench/results"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap stop_service EXIT
trap 'exit 130' INT TERM

build_jar
recreate_db
PORT="$(free_port 20000 45000)"
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

# 2. Digests on: at its first tick the digest job finds every team due and composes and queues each
#    team's digest of the week just ended. Messages go to the local preview (no chat credentials), so
#    delivery is a row update; composition is timed inside the service (yardstick_digest_compose_seconds:
#    ledger figures, message and chart PNG of one team).
start_service "$PORT" "$SERVICE_LOG" "${COMMON[@]}" YARDSTICK_DIGEST_ENABLED=true YARDSTICK_DIGEST_EVERY=1h \
  YARDSTICK_JOBS_TICK=1s YARDSTICK_JOBS_FIRST_DELAY=1s
log "waiting for $TEAMS digests"
deadline=$((SECONDS + 600))
while :; do
  queued="$(sql "select count(*) from outbox_message where dedupe_key like 'digest:%' and dedupe_key not like '%:chart'")"
  [[ "$queued" -ge "$TEAMS" ]] && break
  (( SECONDS < deadline )) || { echo "only $queued of $TEAMS digests after 600 s" >&2; exit 1; }
  sleep 1
done
METRICS="$(curl -fsS "http://127.0.0.1:$PORT/q/metrics")"
metric() { echo "$METRICS" | awk -v m="$1" '$1 == m {print $2}'; }
COUNT="$(metric yardstick_digest_compose_seconds_count)"
SUM="$(metric yardstick_digest_compose_seconds_sum)"
MAX="$(metric yardstick_digest_compose_seconds_max)"
WALL="$(sql "select round(extract(epoch from max(created_at) - min(created_at))::numeric, 2) from outbox_message where dedupe_key like 'digest:%' and dedupe_key not like '%:chart'")"
NUDGED="$(sql "select count(*) from outbox_message where dedupe_key like 'digest:%' and dedupe_key not like '%:chart' and body like '%Spend rose%'")"
stop_service

verdict=$(awk -v s="$SUM" 'BEGIN { print (s < 10) ? "pass" : "**MISS**" }')
{
  echo "# Digest benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "Loaded through the APIs: $LOADED"
  echo
  echo "| Composing the weekly digests of $TEAMS teams | Result | Floor | Verdict |"
  echo "|---|---|---|---|"
  echo "| Total composition time (figures from the ledger, message, 800x400 chart PNG), $COUNT digests, first run after start | **$(printf '%.2f' "$SUM") s** ($(awk -v s="$SUM" -v c="$COUNT" 'BEGIN { printf "%.1f", s / c * 1000 }') ms per team, slowest $(awk -v m="$MAX" 'BEGIN { printf "%.0f", m * 1000 }') ms) | under 10 s | $verdict |"
  echo "| Wall time from the first to the last digest queued (composition plus queueing, the preview delivering alongside) | $WALL s | | |"
  echo "| Digests whose \"spend rose while shipped work did not\" nudge fired | $NUDGED of $TEAMS | | |"
} >"$RESULTS/$STAMP-digest.md"
cat "$RESULTS/$STAMP-digest.md"
