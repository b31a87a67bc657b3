#!/usr/bin/env bash
# make demo: synthetic ads through every stage into the embedded store, a summary, then the web
# app on http://127.0.0.1:8000 (the first run creates user "admin" and prints its password once).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p demo
db="sqlite:///demo/adtrace.db"
ads=${DEMO_ADS:-20000}
.venv/bin/adtrace synth --ads "$ads" --seed 7 -o demo/ads.csv
.venv/bin/adtrace run demo/ads.csv --db "$db"
.venv/bin/adtrace clusters export --db "$db" -o demo/clusters.csv
.venv/bin/adtrace import list --db "$db"
echo
echo "demo store: demo/adtrace.db; clusters: demo/clusters.csv (site,id,cluster_id)"
bash scripts/assets.sh
echo "web app: http://127.0.0.1:8000 (Ctrl-C stops it; command line: .venv/bin/adtrace --help)"
exec .venv/bin/adtrace serve --db "$db" --host 127.0.0.1 --port 8000 --demo-admin
