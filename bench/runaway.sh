#!/usr/bin/env bash
# Yardstick runaway-detection benchmark: a labelled corpus of Claude Code sessions (healthy heavy Opus work with
# prompts, long autonomous work, chatty multi-agent sessions, people prompting at night, usage-only tools without
# session details; tight retry loops, slow Haiku loops all night, overnight loops, usage-only loops) sent as Claude
# Code's OpenTelemetry log records through the public endpoint (/v1/logs), in event-time order over the last nine
# hours, one simulated minute after another. Scores the runaway alerts raised: recall by the deadline (the loop's
# start + max(5 min, the time it takes the loop to spend $10), in event time), false alerts per 200 healthy sessions,
# time to alert per class. See docs/benchmarks.md#runaway-detection-precision-on-a-labelled-corpus.
#
# Usage: bench/runaway.sh      (a few minutes on 2 cores, plus a build when target/quarkus-app is older than src/)
#
# Needs java 17+, psql, curl, flock and a PostgreSQL on 127.0.0.1 where the user may create databases.
# Settings (environment): BENCH_PGHOST=127.0.0.1 BENCH_PGPORT=5432 BENCH_PGUSER=postgres
#   BENCH_DB=yardstick_bench_runaway  dropped and re-created
#   BENCH_RUNAWAY_SEED=21             the corpus's random seed
#   BENCH_RUNAWAY_SCALE=1             sessions: 210 healthy and 65 loops per unit
#   BENCH_REBUILD=1                   rebuild the jar even if target/quarkus-app exists
# Only 127.0.0.1 is contacted. Results: bench/results/<stamp>-runaway.md (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_bench_runaway

build_jar
recreate_db
LIB="$ROOT/target/quarkus-app/lib/main"
CP="$(ls "$LIB"/io.opentelemetry.proto.opentelemetry-proto-*.jar | head -1):$(ls "$LIB"/com.google.protobuf.protobuf-java-[0-9]*.jar | head -1)"
PORT="$(free_port 20000 32000)"
ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SERVICE_LOG="$RESULTS/$STAMP-runaway-service.log"
LABELS="$RESULTS/$STAMP-runaway-labels.tsv"
ALERTS="$RESULTS/$STAMP-runaway-alerts.tsv"
start_service "$PORT" "$SERVICE_LOG" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" SLACK_SIGNING_SECRET= SLACK_BOT_TOKEN= \
  YARDSTICK_DIGEST_ENABLED=false YARDSTICK_PREVIEW_ENABLED=true

log "sending the corpus (seed ${BENCH_RUNAWAY_SEED:-21}, scale ${BENCH_RUNAWAY_SCALE:-1})"
timeout 1800 java -Xmx2g -cp "$CP" bench/src/RunawayBench.java "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" \
  "${BENCH_RUNAWAY_SEED:-21}" "${BENCH_RUNAWAY_SCALE:-1}" >"$LABELS"
# the watcher checks within seconds of each commit, the sweep once a minute: wait until alerts stop coming
last=-1
for _ in $(seq 1 40); do
  n="$(sql "select count(*) from alert where kind = 'runaway'")"
  [[ "$n" == "$last" ]] && break
  last="$n"
  sleep 10
done
sql "select m.email, a.session_key, a.reason, extract(epoch from a.evidence_at)::bigint, replace(coalesce(a.evidence, ''), E'\t', ' ')
     from alert a join member m on m.id = a.member_id where a.kind = 'runaway' order by a.id" | tr '|' '\t' >"$ALERTS"
stop_service

read -r _ DAYZONE NIGHTZONE RECORDS SENT_S < <(grep '^#zones' "$LABELS" | tr '\t' ' ')
{
  echo "# Runaway-detection benchmark $STAMP"
  echo
  echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(java -version 2>&1 | head -1); PostgreSQL $(sql 'show server_version'); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "Corpus: seed ${BENCH_RUNAWAY_SEED:-21}, scale ${BENCH_RUNAWAY_SCALE:-1}; ${RECORDS#records=} log records sent in ${SENT_S#seconds=} s (one client, detection on); day team $DAYZONE, night team $NIGHTZONE; default ceilings (\$100, 1,000 requests in 15 minutes), cold start (no history)."
  echo
  java -cp "$CP" bench/src/RunawayBench.java score "$LABELS" "$ALERTS"
} >"$RESULTS/$STAMP-runaway.md"
cat "$RESULTS/$STAMP-runaway.md"
