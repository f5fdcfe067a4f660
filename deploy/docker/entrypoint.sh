#!/bin/sh
# Starts the pipeline service named by SERVICE. `exec` replaces the shell, so SIGTERM from the container
# runtime reaches Node directly and the service's graceful shutdown runs.
set -eu

case "${SERVICE:-}" in
  gateway | fb-collector | ttk-collector | reporter) ;;
  *)
    echo "entrypoint: SERVICE must be one of gateway, fb-collector, ttk-collector, reporter (got '${SERVICE:-}')" >&2
    exit 64
    ;;
esac

exec node "/app/apps/${SERVICE}/dist/main.js" "$@"
