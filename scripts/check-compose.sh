#!/usr/bin/env bash
# Validates every docker-compose combination the deployment documents (deploy/README.md): the base file alone,
# and the base with each environment's override and env file. Staging and production read their secrets from
# the environment only, so this check supplies placeholder values for them, and also proves that each of the
# two refuses to render without them. Exits non-zero on the first failure.
set -euo pipefail

case "${1:-}" in
  -h | --help)
    printf 'Usage: npm run check:compose\n  docker-compose config of the base file alone and with each environment override and env file.\n'
    exit 0
    ;;
esac

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root_dir"

fail() { printf '[check-compose] ERROR: %s\n' "$*" >&2; exit 1; }
step() { printf '[check-compose] %s\n' "$*"; }

command -v docker-compose >/dev/null || fail "docker-compose not found: install Debian's docker-compose package"

# Secrets that staging and production take from the environment; placeholders for validation only.
placeholder_secrets=(POSTGRES_PASSWORD=check-only GRAFANA_ADMIN_PASSWORD=check-only GRAFANA_DB_PASSWORD=check-only
  REPORTER_API_KEYS=check-only DB_OWNER_PASSWORD=check-only DB_COLLECTOR_PASSWORD=check-only
  DB_REPORTER_PASSWORD=check-only DB_INDEXER_PASSWORD=check-only DB_MONITOR_PASSWORD=check-only NATS_GATEWAY_PASSWORD=check-only
  NATS_FB_COLLECTOR_PASSWORD=check-only NATS_TTK_COLLECTOR_PASSWORD=check-only NATS_PROVISIONER_PASSWORD=check-only
  PUBLISHER_IMAGE=andriiuni/events:check-only WEBHOOK_TOKENS=check-only PUBLISHER_WEBHOOK_TOKEN=check-only)
secret_names=()
for assignment in "${placeholder_secrets[@]}"; do secret_names+=("${assignment%%=*}"); done
unset_project_variables=()
for name in "${secret_names[@]}" EVP_IMAGE COMPOSE_FILE; do unset_project_variables+=(-u "$name"); done

# Runs `docker-compose config -q` with a clean set of the project's variables, so the caller's shell cannot
# make a broken combination pass.
compose_config() { # env-assignments... -- compose-args...
  local assignments=()
  while [ "$1" != -- ]; do assignments+=("$1"); shift; done
  shift
  env "${unset_project_variables[@]}" "${assignments[@]}" docker-compose "$@" config -q
}

step "docker-compose.yml"
compose_config -- -f docker-compose.yml || fail "docker-compose.yml does not validate"

step "docker-compose.yml + docker-compose.development.yml (.env.development)"
compose_config -- -f docker-compose.yml -f docker-compose.development.yml --env-file .env.development \
  || fail "the development combination does not validate"

for environment in staging production; do
  files=(-f docker-compose.yml -f "docker-compose.$environment.yml" --env-file ".env.$environment")
  step "docker-compose.yml + docker-compose.$environment.yml (.env.$environment)"
  compose_config "${placeholder_secrets[@]}" -- "${files[@]}" || fail "the $environment combination does not validate"

  for secret in "${secret_names[@]}"; do
    others=()
    for assignment in "${placeholder_secrets[@]}"; do [ "${assignment%%=*}" = "$secret" ] || others+=("$assignment"); done
    if compose_config "${others[@]}" -- "${files[@]}" 2>/dev/null; then
      fail "the $environment combination renders without $secret: it must come from the environment"
    fi
  done
  step "  refuses to render without ${secret_names[*]}"
done

step "all compose combinations are valid"
