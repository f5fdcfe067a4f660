#!/usr/bin/env bash
# Validates the Prometheus deployment files with promtool: both scrape configurations (which also load the alert
# rules), the rule files on their own, and the rule unit tests. Exits non-zero on the first failure.
# promtool comes with Debian's `prometheus` package.
set -euo pipefail

case "${1:-}" in
  -h | --help)
    printf 'Usage: npm run check:prometheus\n  promtool checks of deploy/prometheus: both scrape configurations, the rule files and the rule unit tests.\n'
    exit 0
    ;;
esac

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prom_dir=$root_dir/deploy/prometheus

fail() { printf '[check-prometheus] ERROR: %s\n' "$*" >&2; exit 1; }
step() { printf '[check-prometheus] %s\n' "$*"; }

command -v promtool >/dev/null || fail "promtool not found: install Debian's prometheus package (apt-get install prometheus)"

shopt -s nullglob
rules=("$prom_dir"/rules/*.yml)
tests=("$prom_dir"/tests/*.yml)
[ ${#rules[@]} -gt 0 ] || fail "no rule files in $prom_dir/rules"
[ ${#tests[@]} -gt 0 ] || fail "no rule tests in $prom_dir/tests"

step "promtool check config (compose and local)"
promtool check config "$prom_dir/prometheus.yml" "$prom_dir/prometheus.local.yml" || fail "promtool check config failed"

step "promtool check rules"
promtool check rules "${rules[@]}" || fail "promtool check rules failed"

step "promtool test rules"
promtool test rules "${tests[@]}" || fail "promtool test rules failed"

step "all Prometheus checks passed"
