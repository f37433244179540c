#!/usr/bin/env bash
# `make run`: the main job on local defaults. Until live ingest lands (`wattline run`), this validates the shipped
# pipeline and decodes every recorded stream in Fixtures/ through it, printing each stream's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline="${1:-Pipelines/default.yaml}"
wattline=.build/release/wattline

"$wattline" check "$pipeline"
echo
for fixture in Fixtures/*.jsonl Fixtures/*.jsonl.zst; do
    [ -e "$fixture" ] || continue
    echo "== $fixture"
    "$wattline" decode --pipeline "$pipeline" "$fixture" > /dev/null
done
