#!/bin/sh
# Asks the charging back-end to soft-reset a charger once its fault has cleared (on: [anomaly.resolved:fault]).
#   run: [hooks/restart-charger.sh, http://csms.internal:8080/api/chargers]
# POSTs {"type":"Soft"} to ENDPOINT/<charger>/reset. The charger id goes into a URL path, so it is checked first:
# Wattline's ids are A-Z a-z 0-9 . _ : - only, and anything else is refused (exit 2), never sent.
set -eu
endpoint="${1:?usage: restart-charger.sh ENDPOINT}"
charger="${WATTLINE_CHARGER:?the event names no charger}"
case "$charger" in
    *[!A-Za-z0-9._:-]*) echo "restart-charger.sh: refusing charger id '$charger'" >&2; exit 2 ;;
esac
cat > /dev/null
exec curl --silent --show-error --fail --max-time 10 -X POST \
    -H "Idempotency-Key: ${WATTLINE_EVENT_ID:-}" \
    -H 'Content-Type: application/json' --data '{"type":"Soft"}' \
    "$endpoint/$charger/reset"
