#!/usr/bin/env bash
# Browser assets of the web app: install the locked npm packages and copy the files the pages use
# into src/adtrace/web/static/vendor/ (ignored by git; the app serves them, no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
# npm works in build/npm (ignored by git) so no node_modules lands in the source tree.
# --ignore-scripts: no package runs code at install (swagger-ui-dist pulls @scarf/scarf, whose
# install script would report the download); SCARF_ANALYTICS=false says the same once more.
work=build/npm
vendor=src/adtrace/web/static/vendor
stamp="$vendor/.installed-$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then
  echo "web assets: up to date"
  exit 0
fi
command -v npm >/dev/null || {
  echo "web assets need npm (Debian: apt-get install npm; make test installs it as root)" >&2; exit 1; }
mkdir -p "$work"
cp package.json package-lock.json "$work/"
for attempt in 1 2 3; do
  (cd "$work" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
    && break
  [ "$attempt" -eq 3 ] && { echo "npm ci failed 3 times" >&2; exit 1; }
  echo "npm ci failed (attempt $attempt of 3); retrying in $((attempt * 5)) s" >&2
  sleep $((attempt * 5))
done
modules="$work/node_modules"
rm -rf "$vendor"
mkdir -p "$vendor/swagger-ui"
cp "$modules/htmx.org/dist/htmx.min.js" "$vendor/htmx.min.js"
cp "$modules/cytoscape/dist/cytoscape.min.js" "$vendor/cytoscape.min.js"
cp "$modules/swagger-ui-dist/swagger-ui-bundle.js" "$modules/swagger-ui-dist/swagger-ui.css" \
  "$vendor/swagger-ui/"
for package in htmx.org cytoscape swagger-ui-dist; do
  cp "$modules/$package/LICENSE" "$vendor/LICENSE.$package"
done
touch "$stamp"
echo "web assets copied into $vendor"
