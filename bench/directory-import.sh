#!/usr/bin/env bash
# Yardstick directory import benchmark: generates a CSV of people (10,000 by default, spread over 100
# teams, each with a Slack id, a Teams id and a GitHub login, every tenth a manager) and times one
# POST /api/v1/directory/import against a running service; then imports the same file again (every
# row unchanged) and times that too. The goal (docs/directory.md): 10,000 rows in under 10 s.
#
# Usage: YS=http://127.0.0.1:8080 ADMIN=<admin token> bench/directory-import.sh
#
# Needs curl and awk. Settings (environment):
#   YS=http://127.0.0.1:8080   the service
#   ADMIN                      its admin token (YARDSTICK_ADMIN_TOKEN); required
#   BENCH_ROWS=10000           people in the file
#   BENCH_TEAMS=100            teams they are spread over
# Every run uses fresh emails, ids and team keys (a run stamp), so it can be repeated on one database;
# it adds people and teams to that database, so point it at a throwaway service. The CSV is kept in
# bench/results/<stamp>-directory.csv (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
YS="${YS:-http://127.0.0.1:8080}"
: "${ADMIN:?set ADMIN to the admin token of the service}"
ROWS="${BENCH_ROWS:-10000}"
TEAMS="${BENCH_TEAMS:-100}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RUN="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$ROOT/bench/results"
CSV="$ROOT/bench/results/$STAMP-directory.csv"

awk -v rows="$ROWS" -v teams="$TEAMS" -v run="$RUN" 'BEGIN {
  print "email,displayName,team,slackUserId,teamsUserId,githubLogin,manager"
  for (i = 1; i <= rows; i++) {
    printf "person%d-%s@example.com,\"Person %d, Bench\",bench-%s-%d,U%s%08d,%s-%04x-4000-8000-%012d,gh-%s-%d,%s\n",
      i, run, i, run, i % teams, toupper(run), i, run, i % 65536, i, run, i, (i % 10 == 0 ? "true" : "")
  }
}' >"$CSV"
echo "$(wc -l <"$CSV") lines, $(wc -c <"$CSV") bytes: $CSV" >&2

run_import() {
  local label="$1" body="$ROOT/bench/results/$STAMP-directory-answer.json" out code seconds
  out="$(curl -sS -o "$body" -w '%{http_code} %{time_total}' -X POST "$YS/api/v1/directory/import" \
    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: text/csv' --data-binary @"$CSV")"
  read -r code seconds <<<"$out"
  cat "$body" >&2
  echo >&2
  [[ "$code" == 200 ]] || { echo "$label: HTTP $code" >&2; exit 1; }
  echo "$label: $ROWS rows in ${seconds} s"
}

run_import "first import (all new)"
run_import "same file again (all unchanged)"
