#!/bin/sh
# POSTs the event JSON to a webhook (chat, incident tool, ...) with curl.
#   run: [hooks/webhook.sh, https://hooks.example.net/T000/B000/XXXX]
# A non-2xx answer or a network error exits non-zero, so Wattline retries with backoff and finally keeps the event
# in DATA/alerts/failed.jsonl. The event id goes along as Idempotency-Key, so the receiver can drop repeats.
set -eu
url="${1:?usage: webhook.sh URL}"
exec curl --silent --show-error --fail --max-time 10 \
    -H 'Content-Type: application/json' \
    -H "Idempotency-Key: ${WATTLINE_EVENT_ID:-batch}" \
    --data-binary @- "$url"
