#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume. Creates the role postgres_exporter connects
# with: pg_monitor (the statistics views, settings and relation sizes, nothing of the rows), read-only, with a statement
# timeout so a slow scrape cannot hold the server. A volume initialised before this script existed gets the role from
# the same statements run by hand (deploy/SECURITY.md).
set -eu

if [ -z "${DB_MONITOR_PASSWORD:-}" ]; then
  echo "evp-monitor: DB_MONITOR_PASSWORD is empty: postgres_exporter's role needs a password" >&2
  exit 1
fi

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$DB_MONITOR_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE evp_monitor LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'password';
ALTER ROLE evp_monitor SET default_transaction_read_only = on;
ALTER ROLE evp_monitor SET statement_timeout = '10s';
GRANT pg_monitor TO evp_monitor;
GRANT CONNECT ON DATABASE :"db" TO evp_monitor;
SQL
