#!/usr/bin/env bash
# A real Airflow 3 CeleryExecutor deployment on loopback, for trying newsmill and for tests:
#
#   scripts/cluster.sh up        PostgreSQL (metadata DB), Redis (broker), a moto S3 store and
#                                the demo sites (unless NEWSMILL_STORE / NEWSMILL_SITES are set),
#                                the API server, scheduler, DAG processor and two Celery workers
#   scripts/cluster.sh status    endpoints, credentials file and pids
#   scripts/cluster.sh down      stop all of it; nothing is left running (--purge: delete state)
#   scripts/cluster.sh worker start|stop|kill N
#                                one worker: stop is a warm shutdown, kill is SIGKILL to its
#                                whole process tree (a lost machine)
#
# State, logs and pid files live in NEWSMILL_CLUSTER_DIR (default .cluster/). Settings read by
# `up`: NEWSMILL_CLUSTER_WORKERS (2), NEWSMILL_CLUSTER_CONCURRENCY (task slots per worker, 2),
# NEWSMILL_CLUSTER_PIN=1 (pin worker N to core N-1 with taskset), NEWSMILL_CLUSTER_HEARTBEAT
# (seconds without a task heartbeat before the scheduler fails and retries it, 60), and every
# NEWSMILL_* / AIRFLOW__* variable in the environment, which all components inherit.
# docs/airflow.md explains each piece and how to do the same across machines.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C="$(mkdir -p "${NEWSMILL_CLUSTER_DIR:-$ROOT/.cluster}" && cd "${NEWSMILL_CLUSTER_DIR:-$ROOT/.cluster}" && pwd)"
PY="$ROOT/.venv/bin/python"
CTL=("$PY" "$ROOT/scripts/cluster_ctl.py")
BUCKET_URI="s3://newsmill-cluster/newsmill"

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Where the private PostgreSQL cluster lives: under the cluster dir, unless that is out of the
# `postgres` account's reach (a clone under /root), then in /var/tmp, named after the dir.
pg_dir() {
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$C" 2>/dev/null; then
    echo "/var/tmp/newsmill-cluster-pg-$(echo "$C" | sha256sum | cut -c1-12)"
  else
    echo "$C/pg"
  fi
}

as_pg() {
  # initdb refuses to run as root: the private cluster belongs to the `postgres` account then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env "NEWSMILL_CLUSTER=$C" "$@"
  else env "NEWSMILL_CLUSTER=$C" "$@"; fi
}

install_system_packages() {
  local missing=()
  { [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ]; } || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "needs ${missing[*]}: install them (Debian/Ubuntu: apt-get install ${missing[*]})"
  fi
  say "installing ${missing[*]} (apt-get)"
  # The packages would start their own system-wide servers; this script runs private ones.
  local policy=/usr/sbin/policy-rc.d made=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made=1
  fi
  local rc=0
  { apt-get -o DPkg::Lock::Timeout=600 update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
       --no-install-recommends "${missing[@]}"; } >"$C/logs/apt.log" 2>&1 || rc=$?
  [ -n "$made" ] && rm -f "$policy"
  [ $rc = 0 ] || die "apt-get install ${missing[*]} failed; see $C/logs/apt.log"
}

# Start a command in its own session, in the background, with the cluster marker, its log and
# a pid file; the pid is that of the command itself (setsid does not fork here: a background
# job of a non-interactive shell is not a process-group leader).
spawn() {
  local name=$1; shift
  setsid env "NEWSMILL_CLUSTER=$C" "$@" >"$C/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$C/run/$name.pid"
}

secret() {
  local f="$C/secrets/$1"
  [ -s "$f" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$f"
  cat "$f"
}

write_env() {
  local ports pg redis moto demo api
  read -r pg redis moto demo api <<<"$("${CTL[@]}" ports 5)"
  local store="${NEWSMILL_STORE:-$BUCKET_URI}" sites="${NEWSMILL_SITES:-$C/sites.yaml}"
  local heartbeat="${NEWSMILL_CLUSTER_HEARTBEAT:-60}"
  {
    echo "# written by scripts/cluster.sh up; sourced by every component"
    echo "export NEWSMILL_CLUSTER='$C'"
    echo "export CLUSTER_PG_PORT=$pg CLUSTER_REDIS_PORT=$redis CLUSTER_MOTO_PORT=$moto"
    echo "export CLUSTER_DEMO_PORT=$demo CLUSTER_API_PORT=$api"
    echo "export CLUSTER_STORE='$store' CLUSTER_SITES='$sites'"
    echo "export CLUSTER_OWN_STORE=$([ -z "${NEWSMILL_STORE:-}" ] && echo 1 || echo 0)"
    echo "export CLUSTER_OWN_SITES=$([ -z "${NEWSMILL_SITES:-}" ] && echo 1 || echo 0)"
    echo "export CLUSTER_API_URL=http://127.0.0.1:$api"
    echo "export CLUSTER_PASSWORDS='$C/airflow/passwords.json'"
    echo "export AIRFLOW_HOME='$C/airflow/home'"
    echo "export AIRFLOW__CORE__EXECUTOR=CeleryExecutor"
    echo "export AIRFLOW__CORE__DAGS_FOLDER='$ROOT/dags'"
    echo "export AIRFLOW__CORE__LOAD_EXAMPLES=False"
    echo "export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False"
    echo "export AIRFLOW__CORE__HOSTNAME_CALLABLE=newsmill.pipeline.tasks.hostname.worker_hostname"
    echo "export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://airflow@127.0.0.1:$pg/airflow"
    echo "export AIRFLOW__CELERY__BROKER_URL=redis://127.0.0.1:$redis/0"
    echo "export AIRFLOW__CELERY__RESULT_BACKEND=db+postgresql+psycopg2://airflow@127.0.0.1:$pg/airflow"
    echo "export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$api AIRFLOW__API__WORKERS=1"
    echo "export AIRFLOW__API__BASE_URL=http://127.0.0.1:$api"
    echo "export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$api/execution/"
    echo "export AIRFLOW__API_AUTH__JWT_SECRET='$(secret jwt)'"
    echo "export AIRFLOW__API__SECRET_KEY='$(secret api)'"
    echo "export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
    echo "export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin"
    echo "export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE='$C/airflow/passwords.json'"
    echo "export AIRFLOW__LOGGING__BASE_LOG_FOLDER='$C/logs/airflow'"
    echo "export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=$heartbeat"
    echo "export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL=5"
    if [ -z "${NEWSMILL_STORE:-}" ]; then
      echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$moto"
      echo "export AWS_ACCESS_KEY_ID=cluster AWS_SECRET_ACCESS_KEY=cluster AWS_DEFAULT_REGION=us-east-1"
    fi
  } >"$C/env"
}

start_postgres() {
  local bin pg; bin="$(pg_bin)"; pg="$(pg_dir)"
  mkdir -p "$pg"
  if [ ! -s "$pg/data/PG_VERSION" ]; then
    say "initdb $pg/data"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$pg"
    as_pg "$bin/initdb" -D "$pg/data" -U airflow --auth=trust -E UTF8 >"$C/logs/initdb.log" 2>&1 \
      || die "initdb failed; see $C/logs/initdb.log"
  fi
  as_pg "$bin/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $CLUSTER_PG_PORT -k $pg" >/dev/null \
    || die "PostgreSQL did not start; see $pg/postgres.log"
  head -n 1 "$pg/data/postmaster.pid" >"$C/run/postgres.pid"
  if ! "$(pg_bin)/psql" -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U airflow -d postgres -tAc \
      "select 1 from pg_database where datname = 'airflow'" | grep -q 1; then
    "$(pg_bin)/psql" -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U airflow -d postgres -qc "create database airflow"
  fi
}

start_worker() {
  local n=$1 pin=()
  if [ "${NEWSMILL_CLUSTER_PIN:-0}" = 1 ]; then pin=(taskset -c "$(( (n - 1) % $(nproc) ))"); fi
  mkdir -p "$C/airflow/worker$n"
  : >"$C/logs/worker$n.log"
  spawn "worker$n" env AIRFLOW_HOME="$C/airflow/worker$n" NEWSMILL_WORKER_HOSTNAME="worker$n" \
    "${pin[@]}" "$ROOT/.venv/bin/airflow" celery worker --celery-hostname "worker$n@%h" \
    --concurrency "${NEWSMILL_CLUSTER_CONCURRENCY:-2}" --skip-serve-logs
  "${CTL[@]}" wait-log "$C/logs/worker$n.log" " ready." --timeout 120 \
    --pidfile "$C/run/worker$n.pid"
}

cluster_up() {
  if [ -f "$C/env" ] && "${CTL[@]}" alive "$C/run/scheduler.pid" 2>/dev/null; then
    say "already up"; cluster_status; return 0
  fi
  [ -f "$C/env" ] && { say "cleaning up a cluster that did not stop cleanly"; cluster_down; }
  mkdir -p "$C"/{logs,run,secrets,airflow/home}
  chmod 700 "$C/secrets"
  # Whatever started must not outlive a failed start (the logs stay for reading).
  trap 'say "up failed: stopping what had started"; cluster_down || true' EXIT
  install_system_packages
  # shellcheck source=scripts/_venv.sh
  (source "$ROOT/scripts/_venv.sh" "dev,airflow,cluster")
  write_env
  # shellcheck source=/dev/null
  source "$C/env"
  start_postgres
  spawn redis redis-server --bind 127.0.0.1 --port "$CLUSTER_REDIS_PORT" --save "" \
    --appendonly no --dir "$C/run"
  "${CTL[@]}" wait-log "$C/logs/redis.log" "Ready to accept connections" --pidfile "$C/run/redis.pid"
  if [ "$CLUSTER_OWN_STORE" = 1 ]; then
    spawn moto "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$CLUSTER_MOTO_PORT"
    "${CTL[@]}" wait-url "$AWS_ENDPOINT_URL/" --pidfile "$C/run/moto.pid"
    "${CTL[@]}" bucket "$CLUSTER_STORE"
  fi
  if [ "$CLUSTER_OWN_SITES" = 1 ]; then
    spawn demo "$PY" "$ROOT/scripts/cluster_ctl.py" demo --port "$CLUSTER_DEMO_PORT" \
      --sites-out "$CLUSTER_SITES"
    "${CTL[@]}" wait-log "$C/logs/demo.log" "demo sites on port" --pidfile "$C/run/demo.pid"
  fi
  say "migrating the metadata database"
  "$ROOT/.venv/bin/airflow" db migrate >"$C/logs/migrate.log" 2>&1 \
    || die "airflow db migrate failed; see $C/logs/migrate.log"
  # Variables in the metadata DB (not AIRFLOW_VAR_*), so an operator can change them in the UI.
  "$ROOT/.venv/bin/airflow" variables set newsmill_store "$CLUSTER_STORE" >/dev/null
  "$ROOT/.venv/bin/airflow" variables set newsmill_sites "$CLUSTER_SITES" >/dev/null
  [ -s "$CLUSTER_PASSWORDS" ] || echo "{\"admin\": \"$(secret admin)\"}" >"$CLUSTER_PASSWORDS"
  spawn api-server "$ROOT/.venv/bin/airflow" api-server
  spawn scheduler "$ROOT/.venv/bin/airflow" scheduler
  spawn dag-processor "$ROOT/.venv/bin/airflow" dag-processor
  "${CTL[@]}" wait-url "$CLUSTER_API_URL/api/v2/monitor/health" --timeout 180 \
    --pidfile "$C/run/api-server.pid"
  for n in $(seq 1 "${NEWSMILL_CLUSTER_WORKERS:-2}"); do start_worker "$n"; done
  "${CTL[@]}" wait-dags "$CLUSTER_API_URL" "$CLUSTER_PASSWORDS" \
    newsmill_crawl newsmill_dump newsmill_backfill newsmill_reextract --timeout 180
  trap - EXIT
  cluster_status
}

cluster_down() {
  if [ -f "$C/env" ]; then
    # shellcheck source=/dev/null
    source "$C/env"
  fi
  local f order=()
  for f in "$C"/run/worker*.pid; do [ -e "$f" ] && order+=("$f"); done
  for f in scheduler dag-processor api-server demo moto redis; do
    [ -e "$C/run/$f.pid" ] && order+=("$C/run/$f.pid")
  done
  [ ${#order[@]} -gt 0 ] && "${CTL[@]}" stop "${order[@]}" --grace 20
  local pg; pg="$(pg_dir)"
  if [ -s "$pg/data/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  "${CTL[@]}" sweep "$C" >&2 || true
  rm -f "$C"/run/*.pid "$C/env"
  if ! "${CTL[@]}" sweep "$C" --check >&2; then die "processes left running (listed above)"; fi
  if [ "${1:-}" = "--purge" ]; then rm -rf "$C" "$pg"; fi
  say "down"
}

cluster_status() {
  if [ ! -f "$C/env" ]; then echo "cluster: down ($C)"; return 0; fi
  # shellcheck source=/dev/null
  source "$C/env"
  echo "cluster dir   $C"
  echo "Airflow UI    $CLUSTER_API_URL  (user admin, password in $CLUSTER_PASSWORDS)"
  echo "metadata DB   postgresql://airflow@127.0.0.1:$CLUSTER_PG_PORT/airflow"
  echo "broker        redis://127.0.0.1:$CLUSTER_REDIS_PORT/0"
  echo "store         $CLUSTER_STORE${AWS_ENDPOINT_URL:+  (moto S3 at $AWS_ENDPOINT_URL)}"
  echo "sites file    $CLUSTER_SITES"
  echo "logs          $C/logs"
  local f name pid state
  for f in "$C"/run/*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"; pid="$(cat "$f")"
    if "${CTL[@]}" alive "$f"; then state=running; else state=stopped; fi
    printf '%-13s pid %-8s %s\n' "$name" "$pid" "$state"
  done
}

cluster_worker() {
  local action=${1:-} n=${2:-}
  [[ "$n" =~ ^[0-9]+$ ]] || die "usage: cluster.sh worker start|stop|kill N"
  [ -f "$C/env" ] || die "the cluster is down"
  # shellcheck source=/dev/null
  source "$C/env"
  case $action in
    start) start_worker "$n" ;;
    stop) "${CTL[@]}" stop "$C/run/worker$n.pid" --grace 60 ;;
    kill) "${CTL[@]}" stop "$C/run/worker$n.pid" --signal KILL ;;
    *) die "usage: cluster.sh worker start|stop|kill N" ;;
  esac
}

case "${1:-}" in
  up) cluster_up ;;
  down) shift; cluster_down "$@" ;;
  status) cluster_status ;;
  worker) shift; cluster_worker "$@" ;;
  *) echo "usage: scripts/cluster.sh up|down [--purge]|status|worker start|stop|kill N" >&2; exit 2 ;;
esac
