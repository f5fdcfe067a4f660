#!/usr/bin/env bash
# Makes sure PostgreSQL and NATS JetStream answer at DATABASE_URL and NATS_URL, and that the
# project's databases exist. Uses running servers as they are; starts installed ones that are down;
# installs missing ones from Debian when running as root; otherwise says what to install.
# Idempotent: safe to run before every `npm start`, `npm test` and CI run.
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${EVP_DATA_DIR:-$root_dir/.data}
DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/evp}
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
# Databases to create besides the one in DATABASE_URL (the test suite's own).
EXTRA_DATABASES=${EXTRA_DATABASES:-evp_test}

log() { printf '[infra] %s\n' "$*"; }
fail() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# postgresql://user:pass@host:port/db?x  ->  host port user db
read -r pg_host pg_port pg_user pg_db < <(node -e '
  const u = new URL(process.argv[1]);
  console.log(u.hostname || "127.0.0.1", u.port || "5432", decodeURIComponent(u.username) || "postgres", u.pathname.slice(1) || "postgres");
' "$DATABASE_URL")
read -r nats_host nats_port < <(node -e '
  const u = new URL(process.argv[1].split(",")[0]);
  console.log(u.hostname || "127.0.0.1", u.port || "4222");
' "$NATS_URL")

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # host port name
  for _ in $(seq 1 60); do answers "$1" "$2" && return 0; sleep 0.5; done
  fail "$3 did not come up on $1:$2"
}

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

apt_install() {
  log "installing $* from Debian"
  [ -n "$(find /var/lib/apt/lists -name '*Packages*' -print -quit 2>/dev/null)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if answers "$pg_host" "$pg_port"; then log "PostgreSQL answers on $pg_host:$pg_port"; return; fi
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    can_install || fail "PostgreSQL is not running on $pg_host:$pg_port and not installed: install postgresql (15+)"
    apt_install postgresql
  fi
  if command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ] && [ "$pg_port" = 5432 ]; then
    local version; version=$(ls /etc/postgresql | sort -V | tail -1)
    log "starting the machine's PostgreSQL $version cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    # A private cluster under .data/, for a port the machine's cluster does not serve.
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    local dir="$data_dir/postgres"
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
      log "initialising a private PostgreSQL cluster in $dir"
      run_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
    fi
    log "starting a private PostgreSQL on $pg_host:$pg_port"
    run_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $pg_port -k /tmp -c listen_addresses=$pg_host" start >/dev/null
  fi
  wait_for "$pg_host" "$pg_port" PostgreSQL
}

run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

ensure_databases() {
  for db in "$pg_db" $EXTRA_DATABASES; do
    if ! psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      log "creating database $db"
      psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
    fi
  done
}

ensure_nats() {
  if answers "$nats_host" "$nats_port"; then log "NATS answers on $nats_host:$nats_port"; return; fi
  if ! command -v nats-server >/dev/null; then
    can_install || fail "NATS is not running on $nats_host:$nats_port and nats-server is not installed: install nats-server (2.9+)"
    apt_install nats-server
  fi
  mkdir -p "$data_dir/nats"
  log "starting nats-server with JetStream on $nats_host:$nats_port (store: $data_dir/nats)"
  setsid nohup nats-server -a "$nats_host" -p "$nats_port" -js -sd "$data_dir/nats" -l "$data_dir/nats.log" >/dev/null 2>&1 < /dev/null &
  wait_for "$nats_host" "$nats_port" NATS
}

ensure_postgres
ensure_databases
ensure_nats
log "ready: DATABASE_URL=$DATABASE_URL NATS_URL=$NATS_URL"
