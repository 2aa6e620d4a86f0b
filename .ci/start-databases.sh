#!/usr/bin/env bash
# Disposable PostgreSQL and MariaDB servers for the external-database replay tests, and a
# redis-server for the queue tests.
#
#   eval "$(bash .ci/start-databases.sh start)"   # prints `export MW_TEST_…_URL=…` lines on stdout
#   bash .ci/start-databases.sh stop "$MW_TEST_DB_DIR"
#
# Each server runs from a fresh data directory under one temp dir, as an unprivileged user
# (`nobody` when started as root), listening on 127.0.0.1 on a random free port; no system service
# is touched. MariaDB and redis-server are installed with apt-get when missing and we are root
# (Debian's redis-server 7.0: what BullMQ is tested with here). Whatever fails
# is reported as a WARNING on stderr and its URL is not exported, so the integration tests that
# need it are skipped (they say so) and the rest of CI still runs. Progress goes to stderr.
set -uo pipefail

warn() { printf 'WARNING: start-databases: %s\n' "$*" >&2; }
info() { printf 'start-databases: %s\n' "$*" >&2; }

# Fixed test credentials: these servers live for one CI run, on loopback only.
APP_USER=mw
APP_PASSWORD=mw-test-password
APP_DB=mw_test
ADMIN_PASSWORD=mw-admin-password
# Two more databases and accounts for `migration-warden drift` tests: the "live" database, which
# holds a migrated schema, and a replay database of their own (the tests of the replay use mw_test
# meanwhile, maybe at the same time).
DRIFT_USER=mw_drift
DRIFT_PASSWORD=mw-drift-password
DRIFT_DB=mw_drift
DRIFT_REPLAY=mw_drift_replay
# A MySQL database and account of their own for test/core/sql/server-reading.test.ts, which
# creates tables while the replay tests (another Jest worker, maybe at the same time) reset
# mw_test. Not granted to mw: the replay refuses an account that reaches other databases.
READING=mw_reading

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Runs a command as the unprivileged server user.
as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

wait_for() { # seconds, command...
  local n=$1
  shift
  for _ in $(seq "$n"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

pg_bin() {
  local d
  for d in "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

start_postgres() {
  local bin dir=$1/postgres port
  bin=$(pg_bin) || {
    warn "PostgreSQL binaries (initdb, pg_ctl, psql) not found: Postgres integration tests will be skipped"
    return 1
  }
  port=$(free_port) || return 1
  mkdir -p "$dir" && printf '%s\n' "$ADMIN_PASSWORD" >"$1/pgpass-admin" && chmod 0644 "$1/pgpass-admin"
  [ "$(id -u)" = 0 ] && chown nobody "$dir"
  if ! as_user "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$1/pgpass-admin" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    warn "initdb failed (see below): Postgres integration tests will be skipped"
    tail -5 "$dir/initdb.log" >&2
    return 1
  fi
  if ! as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    warn "PostgreSQL did not start (see below): Postgres integration tests will be skipped"
    tail -5 "$dir/server.log" >&2
    return 1
  fi
  if ! as_user "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE $APP_USER LOGIN PASSWORD '$APP_PASSWORD'" \
    -c "CREATE DATABASE $APP_DB OWNER $APP_USER" \
    -c "CREATE ROLE $DRIFT_USER LOGIN PASSWORD '$DRIFT_PASSWORD'" \
    -c "CREATE DATABASE $DRIFT_DB OWNER $DRIFT_USER" \
    -c "CREATE ROLE $DRIFT_REPLAY LOGIN PASSWORD '$APP_PASSWORD'" \
    -c "CREATE DATABASE $DRIFT_REPLAY OWNER $DRIFT_REPLAY" >"$dir/setup.log" 2>&1; then
    warn "could not create the test role and database (see below): Postgres integration tests will be skipped"
    tail -5 "$dir/setup.log" >&2
    return 1
  fi
  echo "export MW_TEST_POSTGRES_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$port/$APP_DB"
  echo "export MW_TEST_POSTGRES_ADMIN_URL=postgres://postgres:$ADMIN_PASSWORD@127.0.0.1:$port/$APP_DB"
  echo "export MW_TEST_POSTGRES_DRIFT_URL='postgres://$DRIFT_USER:$DRIFT_PASSWORD@127.0.0.1:$port/$DRIFT_DB?sslmode=disable'"
  echo "export MW_TEST_POSTGRES_DRIFT_REPLAY_URL=postgres://$DRIFT_REPLAY:$APP_PASSWORD@127.0.0.1:$port/$DRIFT_REPLAY"
  info "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

# apt-get install of a Debian package when its binary is missing (root only); $1 root dir, $2
# binary, $3 package, $4 what is skipped without it.
apt_install() {
  command -v "$2" >/dev/null 2>&1 || [ -x "/usr/sbin/$2" ] || [ -x "/usr/bin/$2" ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    warn "$2 is not installed and cannot be installed here (needs root and apt-get): $4 will be skipped"
    return 1
  fi
  info "installing $3 with apt-get"
  if ! timeout 300 apt-get update -qq >"$1/apt-$3.log" 2>&1 ||
    ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
      "$3" >>"$1/apt-$3.log" 2>&1; then
    warn "apt-get install $3 failed (see below): $4 will be skipped"
    tail -5 "$1/apt-$3.log" >&2
    return 1
  fi
}

start_redis() {
  local dir=$1/redis port bin=redis-server
  apt_install "$1" redis-server redis-server "the queue tests against Redis" || return 1
  command -v redis-server >/dev/null 2>&1 || bin=/usr/bin/redis-server
  port=$(free_port) || return 1
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown nobody "$dir"
  # No persistence, loopback only, its own directory: nothing of the system's Redis is touched.
  if ! as_user "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1 ||
    ! wait_for 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG"; then
    warn "redis-server did not start (see below): the queue tests against Redis will be skipped"
    tail -5 "$dir/redis.log" >&2 2>/dev/null
    return 1
  fi
  echo "export MW_TEST_REDIS_URL=redis://127.0.0.1:$port"
  info "redis-server $("$bin" --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port"
}

start_mariadb() {
  local dir=$1/mariadb port mysqld=mariadbd client=mariadb
  apt_install "$1" mariadbd mariadb-server "MySQL integration tests" || return 1
  command -v mariadbd >/dev/null 2>&1 || mysqld=/usr/sbin/mariadbd
  port=$(free_port) || return 1
  mkdir -p "$dir/data"
  [ "$(id -u)" = 0 ] && chown -R nobody "$dir"
  if ! as_user mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/install.log" 2>&1; then
    warn "mariadb-install-db failed (see below): MySQL integration tests will be skipped"
    tail -5 "$dir/install.log" >&2
    return 1
  fi
  as_user "$mysqld" --no-defaults --datadir="$dir/data" --bind-address=127.0.0.1 --port="$port" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --skip-name-resolve --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M \
    </dev/null >/dev/null 2>&1 &
  if ! wait_for 60 "$client" --no-defaults -uroot --socket="$dir/mysqld.sock" -e 'SELECT 1'; then
    warn "MariaDB did not start (see below): MySQL integration tests will be skipped"
    tail -5 "$dir/error.log" >&2
    return 1
  fi
  if ! "$client" --no-defaults -uroot --socket="$dir/mysqld.sock" -e "
      CREATE DATABASE $APP_DB;
      CREATE USER '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
      GRANT ALL ON $APP_DB.* TO '$APP_USER'@'127.0.0.1';
      CREATE DATABASE $READING;
      CREATE USER '$READING'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
      GRANT ALL ON $READING.* TO '$READING'@'127.0.0.1';
      CREATE USER 'admin'@'127.0.0.1' IDENTIFIED BY '$ADMIN_PASSWORD';
      GRANT ALL ON *.* TO 'admin'@'127.0.0.1';
      CREATE DATABASE $DRIFT_DB;
      CREATE USER '$DRIFT_USER'@'127.0.0.1' IDENTIFIED BY '$DRIFT_PASSWORD';
      GRANT ALL ON $DRIFT_DB.* TO '$DRIFT_USER'@'127.0.0.1';
      CREATE DATABASE $DRIFT_REPLAY;
      CREATE USER '$DRIFT_REPLAY'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
      GRANT ALL ON $DRIFT_REPLAY.* TO '$DRIFT_REPLAY'@'127.0.0.1';" >"$dir/setup.log" 2>&1; then
    warn "could not create the test account and database (see below): MySQL integration tests will be skipped"
    tail -5 "$dir/setup.log" >&2
    return 1
  fi
  echo "export MW_TEST_MYSQL_URL=mysql://$APP_USER:$APP_PASSWORD@127.0.0.1:$port/$APP_DB"
  echo "export MW_TEST_MYSQL_READING_URL=mysql://$READING:$APP_PASSWORD@127.0.0.1:$port/$READING"
  echo "export MW_TEST_MYSQL_ADMIN_URL=mysql://admin:$ADMIN_PASSWORD@127.0.0.1:$port/$APP_DB"
  echo "export MW_TEST_MYSQL_DRIFT_URL='mysql://$DRIFT_USER:$DRIFT_PASSWORD@tcp(127.0.0.1:$port)/$DRIFT_DB'"
  echo "export MW_TEST_MYSQL_DRIFT_REPLAY_URL=mysql://$DRIFT_REPLAY:$APP_PASSWORD@127.0.0.1:$port/$DRIFT_REPLAY"
  info "MariaDB $("$mysqld" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_all() {
  local root=$1 bin
  [ -n "$root" ] && [ -d "$root" ] || return 0
  if [ -d "$root/postgres/data" ] && bin=$(pg_bin); then
    as_user "$bin/pg_ctl" -D "$root/postgres/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$root/redis/redis.pid" ]; then
    local rpid
    rpid=$(cat "$root/redis/redis.pid")
    kill "$rpid" 2>/dev/null && wait_for 30 bash -c "! kill -0 $rpid"
  fi
  if [ -f "$root/mariadb/mysqld.pid" ]; then
    local pid
    pid=$(cat "$root/mariadb/mysqld.pid")
    kill "$pid" 2>/dev/null && wait_for 30 bash -c "! kill -0 $pid"
  fi
  rm -rf "$root"
}

case "${1:-}" in
start)
  root=$(mktemp -d "${TMPDIR:-/tmp}/mw-databases.XXXXXX") || exit 0
  chmod 0755 "$root"
  [ "$(id -u)" = 0 ] && chown nobody "$root"
  echo "export MW_TEST_DB_DIR=$root"
  start_postgres "$root" || true
  start_mariadb "$root" || true
  start_redis "$root" || true
  exit 0
  ;;
stop)
  stop_all "${2:-}"
  ;;
*)
  echo "usage: $0 start | stop DIR" >&2
  exit 2
  ;;
esac
