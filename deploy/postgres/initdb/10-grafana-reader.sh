#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume. Creates the role Grafana's business
# dashboard reads with: SELECT only, on the tables that exist and on every table the migrations create later
# (they run as evp_owner, created by 05-evp-roles.sh), with a statement timeout so a heavy panel cannot hold the
# database.
set -eu

reader="${GRAFANA_DB_USER:-grafana_reader}"
if [ -z "${GRAFANA_DB_PASSWORD:-}" ]; then
  echo "grafana-reader: GRAFANA_DB_PASSWORD is empty, not creating role $reader" >&2
  exit 0
fi

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader="$reader" -v password="$GRAFANA_DB_PASSWORD" -v owner=evp_owner -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'password';
ALTER ROLE :"reader" SET statement_timeout = '30s';
ALTER ROLE :"reader" SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE :"db" TO :"reader";
GRANT USAGE ON SCHEMA public TO :"reader";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO :"reader";
SQL
