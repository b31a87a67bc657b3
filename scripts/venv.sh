#!/usr/bin/env bash
# Create .venv and install adtrace with what the tests need; skipped when pyproject.toml is unchanged.
set -euo pipefail
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ -f "$stamp" ]; then
  echo "python environment: up to date"
  exit 0
fi
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "adtrace needs Python >= 3.11 ($python is $("$python" --version 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
for attempt in 1 2 3; do
  if .venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2> .venv/pip.log; then
    rm -f .venv/.installed-*
    touch "$stamp"
    echo "python environment: installed"
    exit 0
  fi
  echo "pip install failed (attempt $attempt of 3):" >&2
  grep -v '^WARNING: Location' .venv/pip.log | tail -5 >&2
  sleep $((attempt * 5))
done
exit 1
