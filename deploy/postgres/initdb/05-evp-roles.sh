#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume, before 10-grafana-reader.sh. Creates the
# pipeline's roles as `npm run db:roles` does (libs/database/README.md, "Roles"): evp_owner owns the schema (the
# collectors apply the migrations and manage the time partitions as it), evp_collector writes rows, evp_reporter
# reads, evp_indexer keeps the demographics read model. The tables do not exist yet: their grants are applied by the
# owner after each migration. A volume initialised before this script existed gets the roles from the CLI instead
# (deploy/SECURITY.md).
set -eu

for variable in DB_OWNER_PASSWORD DB_COLLECTOR_PASSWORD DB_REPORTER_PASSWORD DB_INDEXER_PASSWORD; do
  eval "value=\${$variable:-}"
  if [ -z "$value" ]; then
    echo "evp-roles: $variable is empty: every pipeline role needs a password" >&2
    exit 1
  fi
done

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v db="$POSTGRES_DB" \
  -v owner_password="$DB_OWNER_PASSWORD" -v collector_password="$DB_COLLECTOR_PASSWORD" \
  -v reporter_password="$DB_REPORTER_PASSWORD" -v indexer_password="$DB_INDEXER_PASSWORD" <<'SQL'
CREATE ROLE evp_owner LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'owner_password';
CREATE ROLE evp_collector LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'collector_password';
CREATE ROLE evp_reporter LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'reporter_password';
CREATE ROLE evp_indexer LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'indexer_password';
ALTER ROLE evp_reporter SET default_transaction_read_only = on;
GRANT CONNECT, CREATE ON DATABASE :"db" TO evp_owner;
GRANT CONNECT ON DATABASE :"db" TO evp_collector, evp_reporter, evp_indexer;
GRANT USAGE, CREATE ON SCHEMA public TO evp_owner;
GRANT USAGE ON SCHEMA public TO evp_collector, evp_reporter, evp_indexer;
ALTER DEFAULT PRIVILEGES FOR ROLE evp_owner IN SCHEMA public GRANT SELECT ON TABLES TO evp_reporter;
SQL
