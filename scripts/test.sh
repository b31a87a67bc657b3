#!/usr/bin/env bash
# make test: system packages, Python environment, lint, formatting, types, the whole test suite.
# Prints the time of each phase; fails on the first failing phase.
set -uo pipefail
cd "$(dirname "$0")/.."

declare -a names=() times=()
phase() {
  local name=$1; shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  local status=$?
  names+=("$name"); times+=("$((SECONDS - start))")
  echo "<== $name: $((SECONDS - start)) s"
  if [ $status -ne 0 ]; then
    echo "FAILED in phase: $name" >&2
    report
    exit $status
  fi
}
report() {
  echo
  echo "phase times"
  for i in "${!names[@]}"; do printf '  %-20s %5s s\n' "${names[$i]}" "${times[$i]}"; done
}

phase "system packages" bash scripts/system-deps.sh
phase "python environment" bash scripts/venv.sh
phase "web assets (npm ci)" bash scripts/assets.sh
phase "lint (ruff)" .venv/bin/ruff check src tests benchmarks
phase "format (ruff)" .venv/bin/ruff format --check src tests benchmarks
phase "types (mypy)" .venv/bin/mypy
export ADTRACE_REQUIRE_PG=1 HYPOTHESIS_PROFILE=ci
phase "tests (pytest)" .venv/bin/pytest -n 2 --dist loadgroup -q -p no:cacheprovider "$@"
report
