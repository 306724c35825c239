#!/usr/bin/env bash
# Yardstick scale run: a 1/100 model of a 10,000-person organisation (100 people at ~1,500 model requests a
# day each: ~150,000 usage events a day), scaled to 2 cores and ~15 minutes. See docs/scaling.md.
#
# Usage: bench/scale.sh          (from anywhere; builds target/quarkus-app when it has no jar, BENCH_REBUILD=1 forces)
#
# It measures, on one fresh database:
#   1. ingest rate against PostgreSQL's COPY of the same rows, and single-event latency (bench/src/IngestBench.java,
#      the same client as bench/run.sh, shorter warm-up);
#   2. the ledger filled: SCALE_DAYS days (90, the retention window) for a 100-person team, SCALE_EVENTS events spread
#      over them (each day's rollups are as full as the model's: 100 people x 3-5 tool/model pairs x 8 shards);
#      bytes per raw usage event (the partitions and their index; with and without usage_event_id);
#   3. summary p99 (12 months, 1 month, 1 week) and /ai-spend p99 with that ledger;
#   4. WAL and CPU per ingested event (an ingest-only round of SCALE_WAL_EVENTS events, pg_current_wal_lsn before
#      and after);
#   5. the time to compact one settled day's rollups and the time to drop one day's partition of the model's size
#      (SCALE_DAY_EVENTS events: the 1/100 day), both with the statements the retention job runs;
#   6. bytes per raw usage event again after the service's retention job, made due (it rebuilds settled days'
#      session indexes), last so that nothing above runs on a ledger it changed.
# Settings (environment): those of bench/lib.sh (BENCH_PGHOST, BENCH_PGPORT, BENCH_PGUSER), BENCH_DB=yardstick_scale,
#   SCALE_DAYS=90, SCALE_EVENTS=1500000, SCALE_DAY_EVENTS=150000, SCALE_WAL_EVENTS=150000; the ingest rounds:
#   SCALE_WARMUP=300000 (in steps of SCALE_WARMUP_STEP=100000), SCALE_ROUND_EVENTS=100000, SCALE_ROUNDS=3,
#   SCALE_SINGLE=1000 single-event POSTs (after 3,000 unmeasured ones: the JIT is still compiling the path before).
# Results: bench/results/scale-<stamp>.md (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_setup yardstick_scale

DAYS="${SCALE_DAYS:-90}"
EVENTS="${SCALE_EVENTS:-1500000}"
DAY_EVENTS="${SCALE_DAY_EVENTS:-150000}"
WAL_EVENTS="${SCALE_WAL_EVENTS:-150000}"
OUT="$RESULTS/scale-$STAMP.md"

build_jar
PGJAR="$(ls target/quarkus-app/lib/main/org.postgresql.postgresql-*.jar | head -1)"
recreate_db
PORT="$(free_port 20000 32000)"
ADMIN_TOKEN="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
SLACK_SECRET="bench-signing-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
FAKE_SLACK_PORT="$(free_port 10000 19999)"
start_service "$PORT" "$RESULTS/scale-$STAMP-service.log" YARDSTICK_ADMIN_TOKEN="$ADMIN_TOKEN" \
  YARDSTICK_RAW_RETENTION_DAYS=400 SLACK_SIGNING_SECRET="$SLACK_SECRET" SLACK_BOT_TOKEN=xoxb-bench \
  SLACK_API_URL="http://127.0.0.1:$FAKE_SLACK_PORT/api/"

bench() {
  timeout 1800 java -Xmx3g -cp "$PGJAR" bench/src/IngestBench.java --base "http://127.0.0.1:$PORT" \
    --admin-token "$ADMIN_TOKEN" --jdbc "jdbc:postgresql://$PGHOST_:$PGPORT_/$DB" --db-user "$PGUSER_" \
    --out "$RESULTS" --clients 4 --batch 1000 --service-pid "$SVC_PID" --clk-tck "$(getconf CLK_TCK)" "$@"
}

# 1-3. ingest vs COPY, single events, the filled ledger, summary reads.
log "1-3. IngestBench: ingest vs COPY, single events, $EVENTS events over $DAYS days, summary reads"
bench --stamp "scale-$STAMP-ingest" --warmup-events "${SCALE_WARMUP_STEP:-100000}" \
  --max-warmup-events "${SCALE_WARMUP:-300000}" --events "${SCALE_ROUND_EVENTS:-100000}" --rounds "${SCALE_ROUNDS:-3}" \
  --single-warmup 3000 --single "${SCALE_SINGLE:-1000}" --summary-events "$EVENTS" --summary-members 100 --summary-days "$DAYS" \
  --retention-job false \
  --load-deadline-seconds 600 --read-warmup 10 --reads 30 --machine.nproc "$(nproc)" \
  --machine.git "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo ' (modified)')" \
  >/dev/null

log "3. /ai-spend: 300 signed commands"
AISPEND="$(timeout 600 java bench/src/AiSpendBench.java "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$SLACK_SECRET" \
  "$FAKE_SLACK_PORT" bench-summary eng001@bench.example.com 300 30)"
log "$AISPEND"

# 4. WAL and CPU per event: an ingest-only pass (the JIT is warm by now).
log "4. WAL per event: $WAL_EVENTS events, ingest only"
lsn0="$(sql "select pg_current_wal_lsn()")"
# full-page images and checkpoints during the pass: a checkpoint that begins in it makes the first change of every
# page after it log the whole page, which moves WAL per event by hundreds of bytes from run to run
fpi0="$(sql "select wal_fpi from pg_stat_wal")"
ckpt0="$(sql "select checkpoints_timed + checkpoints_req from pg_stat_bgwriter")"
t0="$(date +%s.%N)"
cpu0="$(awk '{print $14 + $15}' "/proc/$SVC_PID/stat")"
bench --stamp "scale-$STAMP-wal" --ingest-only true --warmup-events "$WAL_EVENTS" --max-warmup-events "$WAL_EVENTS" \
  --events 1000 --rounds 1 >/dev/null 2>&1
cpu1="$(awk '{print $14 + $15}' "/proc/$SVC_PID/stat")"
t1="$(date +%s.%N)"
lsn1="$(sql "select pg_current_wal_lsn()")"
wal_bytes="$(sql "select pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint")"
wal_fpi="$(( $(sql "select wal_fpi from pg_stat_wal") - fpi0 ))"
wal_ckpt="$(( $(sql "select checkpoints_timed + checkpoints_req from pg_stat_bgwriter") - ckpt0 ))"
wal_events=$((WAL_EVENTS + 1000))
svc_cpu_s="$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }')"
secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"

# 5. A day of the 1/100 model in one partition: compact its rollups, then drop it.
day="$(sql "select (current_date - 120)::text")"
log "5. one 1/100 day ($DAY_EVENTS events) on $day: load, compact, drop"
loaded="$(sql "
  insert into usage_kind (team_key, member_id, tool, model, cost_source)
  select 'bench-summary', id, 'claude-code', 'claude-sonnet-4-5', 'reported' from member where team_key = 'bench-summary'
  on conflict do nothing;
  insert into usage_event (id_key, time, kind, session_id, figures)
  select usage_id_key(md5('day-' || gen_random_uuid())::uuid), '$day 00:00:00+00'::timestamptz + (g % 86400) * interval '1 second',
    k.ids[1 + g % array_length(k.ids, 1)], 'sess-' || (g % 997) || '-' || (g % 24), f.figures
  from generate_series(1, $DAY_EVENTS) g, (select array_agg(id) ids from usage_kind where team_key = 'bench-summary'
    and tool = 'claude-code' and model = 'claude-sonnet-4-5' and cost_source = 'reported' and origin = 'e'
    and not live) k, (select usage_figures(1, 0.0321, 2500, 700, 35000, 0) figures) f;
  insert into usage_daily (team_key, day, member_id, tool, model, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, cost_usd, requests, events, unpriced_events, shard)
  select 'bench-summary', '$day', m.id, c.tool, c.model, 1, 1, 1, 1, 0.01, 1, 1, 0, s
  from member m, (values ('claude-code', 'claude-sonnet-4-5'), ('claude-code', 'claude-opus-4-5'),
    ('cursor', 'gpt-5.5'), ('codex', 'gpt-5.6-sol')) c (tool, model), generate_series(0, 7) s
  where m.team_key = 'bench-summary' on conflict do nothing;
  insert into usage_team_daily (team_key, day, tool, model, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, cost_usd, requests, events, unpriced_events, shard)
  select 'bench-summary', '$day', c.tool, c.model, 1, 1, 1, 1, 0.01, 1, 1, 0, s
  from (values ('claude-code', 'claude-sonnet-4-5'), ('claude-code', 'claude-opus-4-5'),
    ('cursor', 'gpt-5.5'), ('codex', 'gpt-5.6-sol')) c (tool, model), generate_series(0, 7) s on conflict do nothing;
  analyze usage_event_p${day//-/};
  select count(*) from usage_event_p${day//-/};" | tail -1)"
rollup_rows="$(sql "select count(*) from usage_daily where day = '$day'")"
compact_ms="$(psql -X -q -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d "$DB" <<SQL | awk '/^Time:/ {s += $2} END {printf "%.0f", s}'
\\timing on
with gone as (delete from usage_daily where team_key in (select key from team union select 'unassigned') and day = '$day' and shard <> 0 returning *),
folded as (insert into usage_daily as d (team_key, day, member_id, tool, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, requests, events, unpriced_events, cost_usd, shard)
  select team_key, day, member_id, tool, model, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(requests), sum(events), sum(unpriced_events), sum(cost_usd), 0
  from gone group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (team_key, day, member_id, tool, model, shard) do update set input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens, cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens, requests = d.requests + excluded.requests, events = d.events + excluded.events, unpriced_events = d.unpriced_events + excluded.unpriced_events, cost_usd = d.cost_usd + excluded.cost_usd returning 1)
select count(*) from gone;
with gone as (delete from usage_team_daily where team_key in (select key from team union select 'unassigned') and day = '$day' and shard <> 0 returning *),
folded as (insert into usage_team_daily as d (team_key, day, tool, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, requests, events, unpriced_events, cost_usd, shard)
  select team_key, day, tool, model, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(requests), sum(events), sum(unpriced_events), sum(cost_usd), 0
  from gone group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (team_key, day, tool, model, shard) do update set input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens, cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens, requests = d.requests + excluded.requests, events = d.events + excluded.events, unpriced_events = d.unpriced_events + excluded.unpriced_events, cost_usd = d.cost_usd + excluded.cost_usd returning 1)
select count(*) from gone;
SQL
)"
rollup_after="$(sql "select count(*) from usage_daily where day = '$day'")"
drop_ms="$(psql -X -q -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d "$DB" <<SQL | awk '/^Time:/ {s += $2} END {printf "%.0f", s}'
\\timing on
alter table usage_event detach partition usage_event_p${day//-/} concurrently;
drop table usage_event_p${day//-/};
SQL
)"

raw_rows="$(sql "select count(*) from usage_event")"
raw_bytes="$(sql "select sum(pg_total_relation_size(inhrelid)) + pg_total_relation_size('usage_kind') from pg_inherits where inhparent = 'usage_event'::regclass")"
id_bytes="$(sql "select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'usage_event_id'::regclass")"
partitions="$(sql "select count(*) from pg_inherits where inhparent = 'usage_event'::regclass")"

# 6. The ledger as it stands most of the time: after the service's retention job (settled days' session indexes
# rebuilt), made due now rather than at its hour; last, so that nothing above ran on a ledger it had changed.
log "6. the retention job, made due"
due_at="$(sql "select now()")"
sql "insert into cluster_job (name) values ('retention') on conflict (name) do update set next_run_at = now()" >/dev/null
for _ in $(seq 1 3000); do
  [[ "$(sql "select coalesce(bool_or(last_finished_at > '$due_at'), false) from cluster_job where name = 'retention'")" == t ]] && break
  sleep 0.2
done
raw_bytes_job="$(sql "select sum(pg_total_relation_size(inhrelid)) + pg_total_relation_size('usage_kind') from pg_inherits where inhparent = 'usage_event'::regclass")"
id_bytes_job="$(sql "select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'usage_event_id'::regclass")"

{
  echo "# Scale run $STAMP (1/100 model)"
  echo
  echo "Commit $(git rev-parse --short HEAD); $(nproc) cores; $(free -h | awk '/^Mem:/ {print "memory " $2}'); PostgreSQL $(sql "show server_version")."
  echo
  echo "## 1-3. Ingest, the filled ledger, reads"
  echo
  sed -n '/^|/p' "$RESULTS/scale-$STAMP-ingest.md"
  echo
  echo "/ai-spend with that ledger: $AISPEND"
  echo
  echo "## 4-5. Per event, a day"
  echo
  echo "| Measure | Result |"
  echo "|---|---|"
  echo "| Raw usage events stored (partitions: $partitions) | $raw_rows |"
  echo "| Bytes per raw usage event: usage_event partitions with their index, and usage_kind | $((raw_bytes / raw_rows)) |"
  echo "| Bytes per raw usage event with usage_event_id | $(((raw_bytes + id_bytes) / raw_rows)) |"
  echo "| The same two after the retention job (6.) | $((raw_bytes_job / raw_rows)) / $(((raw_bytes_job + id_bytes_job) / raw_rows)) |"
  echo "| WAL per ingested event ($wal_events events through the API) | $((wal_bytes / wal_events)) bytes ($wal_fpi full-page images; checkpoints during the pass: $wal_ckpt) |"
  echo "| Service CPU per ingested event (same pass, $secs s) | $(awk -v c="$svc_cpu_s" -v n="$wal_events" 'BEGIN { printf "%.1f", c * 1e6 / n }') µs |"
  echo "| Compacting one day's rollups ($rollup_rows usage_daily rows of 100 people, 8 shards, to $rollup_after) | $compact_ms ms |"
  echo "| Dropping one day's partition ($loaded events: detach concurrently, drop) | $drop_ms ms |"
} >"$OUT"
stop_service
cat "$OUT"
log "results in ${OUT#$ROOT/}"
