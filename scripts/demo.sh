#!/usr/bin/env bash
# make demo: synthetic ads through every stage into the embedded store, then a summary.
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
echo "next: .venv/bin/adtrace --help"
