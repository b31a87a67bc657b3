#!/usr/bin/env bash
# Debian packages the tests need: a PostgreSQL server (store tests run against a real one) and
# Chromium (the web tests drive Debian's chromium through Playwright; no browser download), and
# Pango with fonts for the PDF reports (weasyprint lays text out with Pango).
# As root they are installed (with retries); otherwise a clear message names what is missing.
set -uo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
for lib in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "install ok installed" || missing+=("$lib")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} — install them (sudo apt-get install ${missing[*]}) and re-run" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  if apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "system packages: installed ${missing[*]}"
    exit 0
  fi
  echo "apt-get failed (attempt $attempt of 3); retrying in $((attempt * 10)) s" >&2
  sleep $((attempt * 10))
done
echo "could not install ${missing[*]} with apt-get" >&2
exit 1
