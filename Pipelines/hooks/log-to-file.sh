#!/bin/sh
# Appends each alert event (one JSON object, or an array when the hook batches) to a file, one line each.
#   run: [hooks/log-to-file.sh, /var/log/wattline/alerts.jsonl]
# Exit 0 = delivered. The event arrives on stdin; nothing from it is ever interpreted by a shell here.
set -eu
out="${1:?usage: log-to-file.sh FILE}"
{ cat; echo; } >> "$out"
