#!/usr/bin/env bash
# make demo: synthetic ads through every stage into the embedded store, then a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p demo
db="sqlite:///demo/adtrace.db"
ads=${DEMO_ADS:-20000}
.venv/bin/adtrace synth --ads "$ads" --seed 7 -o demo/ads.csv
.venv/bin/adtrace run demo/ads.csv --db "$db"
.venv/bin/adtrace -q link demo/ads.csv -o demo/clusters.csv --links demo/links.jsonl
.venv/bin/adtrace import list --db "$db"
echo
echo "demo store: demo/adtrace.db; clusters: demo/clusters.csv (id,cluster_id), evidence: demo/links.jsonl"
echo "next: .venv/bin/adtrace --help"
