#!/bin/sh
# Hands a short mail about the event to the local sendmail, when there is one.
#   run: [hooks/sendmail.sh, ops@example.net]
# Without sendmail it says so on stderr and exits 1 (the event is retried, then kept in failed.jsonl).
set -eu
to="${1:?usage: sendmail.sh ADDRESS}"
sendmail=$(command -v sendmail || true)
[ -x "${sendmail:-/usr/sbin/sendmail}" ] || sendmail=/usr/sbin/sendmail
if [ ! -x "$sendmail" ]; then echo "sendmail.sh: no sendmail on this machine" >&2; exit 1; fi
body=$(cat)
{
    printf 'To: %s\n' "$to"
    printf 'Subject: [wattline] %s %s %s\n' "${WATTLINE_SEVERITY:-info}" "${WATTLINE_EVENT:-events}" "${WATTLINE_CHARGER:-}"
    printf 'Content-Type: application/json\n\n'
    printf '%s\n' "$body"
} | "$sendmail" -t
