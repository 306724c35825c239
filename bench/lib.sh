# Shared helpers of the bench scripts (sourced, not run). Callers set ROOT, then call bench_setup.

# bench_setup DEFAULT_DB: the PostgreSQL to use (BENCH_PGHOST, BENCH_PGPORT, BENCH_PGUSER, BENCH_DB;
# loopback only), RESULTS and STAMP; stops the service on exit.
bench_setup() {
  PGHOST_="${BENCH_PGHOST:-127.0.0.1}"
  PGPORT_="${BENCH_PGPORT:-5432}"
  PGUSER_="${BENCH_PGUSER:-postgres}"
  DB="${BENCH_DB:-$1}"
  case "$PGHOST_" in 127.0.0.1|localhost) ;; *) echo "BENCH_PGHOST must be 127.0.0.1 or localhost" >&2; exit 2 ;; esac
  [[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lowercase name" >&2; exit 2; }
  RESULTS="$ROOT/bench/results"
  STAMP="$(date -u +%Y%m%d-%H%M%S)"
  mkdir -p "$RESULTS"
  trap stop_service EXIT
  trap 'exit 130' INT TERM
}

log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

# free_port LOW HIGH: a port of 127.0.0.1 in that range that nothing listens on.
free_port() {
  local p
  for p in $(shuf -i "$1-$2" -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found in $1-$2" >&2
  return 1
}

# build_jar: packages the service unless target/quarkus-app has a jar (BENCH_REBUILD=1 forces it).
build_jar() {
  if [[ "${BENCH_REBUILD:-0}" == 1 || ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
    log "building target/quarkus-app (./mvnw -q -B package -DskipTests)"
    (cd "$ROOT" && timeout 900 ./mvnw -q -B package -DskipTests)
  fi
  if [[ -n "$(cd "$ROOT" && find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit 2>/dev/null)" ]]; then
    log "warning: src/ or pom.xml changed after target/quarkus-app was built; BENCH_REBUILD=1 measures the current code"
  fi
}

# recreate_db: drops and creates $DB (one run per database at a time: a lock in /tmp guards it).
recreate_db() {
  exec 9>"${TMPDIR:-/tmp}/yardstick-bench-$DB.lock"
  flock -n 9 || { echo "another bench run is using database $DB" >&2; exit 1; }
  log "re-creating database $DB on $PGHOST_:$PGPORT_"
  psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d postgres \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
}

# sql QUERY: one value from $DB.
sql() { psql -X -q -t -A -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d "$DB" -c "$1"; }

SVC_PID=""
# start_service PORT LOG [VAR=value ...]: the packaged service on 127.0.0.1:PORT against $DB, with the
# given extra environment; waits until it is ready.
start_service() {
  local port="$1" logfile="$2"
  shift 2
  log "starting the service on 127.0.0.1:$port (log: ${logfile#$ROOT/})"
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PGHOST_:$PGPORT_/$DB" QUARKUS_DATASOURCE_USERNAME="$PGUSER_" \
    "$@" java -Dfile.encoding=UTF-8 ${BENCH_SERVICE_JAVA_OPTS:-} -jar "$ROOT/target/quarkus-app/quarkus-run.jar" \
    >>"$logfile" 2>&1 &
  SVC_PID=$!
  for _ in $(seq 1 120); do
    kill -0 "$SVC_PID" 2>/dev/null || { echo "the service exited; see $logfile" >&2; tail -20 "$logfile" >&2; exit 1; }
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
      log "service ready"
      return 0
    fi
    sleep 1
  done
  echo "the service was not ready within 120 s; see $logfile" >&2
  exit 1
}

# stop_service: stops the service started last (SIGTERM, then SIGKILL after 30 s).
stop_service() {
  if [[ -n "$SVC_PID" ]] && kill -0 "$SVC_PID" 2>/dev/null; then
    log "stopping the service (pid $SVC_PID)"
    kill "$SVC_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SVC_PID" 2>/dev/null || true
  fi
  SVC_PID=""
}
