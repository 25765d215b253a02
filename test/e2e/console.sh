#!/usr/bin/env bash
# The web console in a real browser: headless Chromium driven over the DevTools protocol through a
# pipe (lib/browser.py, standard-library Python only), clicking and typing as an operator would
# (lib/console_check.py). The relay's upstream (the sink) answers 451 for now, with a retry delay of
# an hour, so two messages wait. A read-only token (admin.tokens, a file: secret) sees them and no
# action button; the relay's local token sees the overview and both messages with the 451 as their
# reason, holds and releases one (tried again at once, refused again), retries it once the upstream
# is back (it arrives), deletes the other after confirming (it never arrives), suspends and resumes
# the connector. Screenshots of the overview and the message
# list must be PNGs; audit.log must name each action. Skips (exit 0) only when there is no Chromium
# and E2E_NEED_CHROMIUM is not 1 (.ci/run installs Chromium and sets it).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init console 300 "$@"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROMIUM" ]; then
  [ "${E2E_NEED_CHROMIUM:-0}" != 1 ] || fail "no Chromium found (chromium, chromium-browser, google-chrome; or set CHROMIUM)"
  echo "console: SKIP — no Chromium to drive the console (apt-get install chromium, as .ci/run does; or set CHROMIUM)"
  exit 0
fi

RUN_ID=$$-$RANDOM
FLAG=$E2E_TMP/sink-refuses
touch "$FLAG"
start_sink --tempfail-flag "$FLAG" --tempfail-at data
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
READ_TOKEN=helpdesk-$RUN_ID-$RANDOM$RANDOM
(umask 077 && printf '%s\n' "$READ_TOKEN" > "$E2E_TMP/helpdesk.token")
config=$(relay_config "$RELAY_SMTP_PORT" "$ADMIN_PORT" "$(smart_host_connector "$SINK_PORT" none)")
config="${config/retry \{ initial-delay = 1s, max-delay = 5s, max-lifetime = 1h \}/retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 1d \}}"
admin="admin { port = $ADMIN_PORT, tokens = [ { name = \"helpdesk\", token = \"file:$E2E_TMP/helpdesk.token\", role = read } ] }"
config="${config/admin \{ port = $ADMIN_PORT \}/$admin}"
grep -q 'role = read } ] }' <<< "$config" || fail "could not add the read-only token to the configuration"
start_relay "$config"
RELAY_HOME=$E2E_TMP/relay-home
API=http://127.0.0.1:$ADMIN_PORT

# Markup in a subject must show as text in the console, never become part of the page.
SUBJECT='Scan <img src=x onerror=window.pwned=1> & <b>bold</b>'
send() {
  "$E2E_PYTHON" - "$RELAY_SMTP_PORT" "$@" <<'EOF' || fail "could not send $2"
import smtplib, sys
from email.message import EmailMessage
port, sender, recipient, subject, token = sys.argv[1:]
m = EmailMessage()
m["From"], m["To"], m["Subject"], m["X-E2E-Id"] = sender, recipient, subject, token
m.set_content("console e2e\n")
with smtplib.SMTP("127.0.0.1", int(port), timeout=30) as s:
    s.send_message(m)
EOF
}
send device1@e2e.test someone1@example.test "Retry me" "console-1-$RUN_ID"
send device2@e2e.test someone2@example.test "$SUBJECT" "console-2-$RUN_ID"

admin_api() { curl -sf -H "Authorization: Bearer $(cat "$RELAY_HOME/admin.token")" "$API$1"; }
deferred_count() { admin_api '/api/queue?state=deferred' | grep -c '"id"' || true; }
both_deferred() { [ "$(deferred_count)" -eq 2 ]; }
wait_for 60 "both messages deferred after the upstream's 451" both_deferred
listing=$(admin_api '/api/queue')
id_of() { grep "\"sender\":\"$1\"" <<< "$listing" | sed 's/.*"id":"\([^"]*\)".*/\1/'; }
RETRY_ID=$(id_of device1@e2e.test)
DELETE_ID=$(id_of device2@e2e.test)
[ -n "$RETRY_ID" ] && [ -n "$DELETE_ID" ] || fail "queue ids not found in: $listing"
e2e_log "waiting: $RETRY_ID (to retry), $DELETE_ID (to delete); browser: $CHROMIUM"

"$E2E_PYTHON" "$E2E_LIB/console_check.py" --url "$API/" --chromium "$CHROMIUM" --work "$E2E_TMP" \
  --admin-token-file "$RELAY_HOME/admin.token" --read-token "$READ_TOKEN" --flag "$FLAG" \
  --sink-dir "$SINK_DIR" --retry "$RETRY_ID" --delete "$DELETE_ID" --subject "$SUBJECT" \
  || fail "the console in Chromium (screenshot of the failure, if any: $E2E_TMP/console-failure.png; Chromium's log: $E2E_TMP/chromium.log; E2E_KEEP=1 keeps them)"

for shot in console-overview console-messages; do
  png=$E2E_TMP/$shot.png
  [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || fail "$shot.png is not a PNG"
  [ "$(stat -c %s "$png")" -gt 10000 ] || fail "$shot.png is only $(stat -c %s "$png") bytes: a blank page?"
done

sleep 1 # a wrongly kept message would be delivered in this time (the upstream is back)
[ "$(sink_count)" -eq 1 ] || fail "the sink has $(sink_count) messages, expected 1 (the retried one)"
[ -n "$("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "console-1-$RUN_ID")" ] || fail "the retried message did not arrive"
[ "$(admin_api '/api/queue/summary' | sed 's/.*"total":\([0-9]*\).*/\1/')" = 0 ] || fail "the queue is not empty"
audit=$RELAY_HOME/logs/audit.log
for want in "\"operator\":\"local\",.*\"action\":\"hold\",\"target\":\"$RETRY_ID\",\"done\":true" \
    "\"operator\":\"local\",.*\"action\":\"release\",\"target\":\"$RETRY_ID\",\"done\":true" \
    "\"operator\":\"local\",.*\"action\":\"retry\",\"target\":\"$RETRY_ID\",\"done\":true" \
    "\"operator\":\"local\",.*\"action\":\"delete\",\"target\":\"$DELETE_ID\",\"done\":true" \
    '"action":"suspend-connector","target":"upstream","done":true' '"action":"resume-connector","target":"upstream","done":true'; do
  grep -q "$want" "$audit" || fail "audit.log lacks $want: $(cat "$audit")"
done
! grep -q '"operator":"helpdesk"' "$audit" || fail "the read-only token acted: $(cat "$audit")"
echo "console: PASS — in headless Chromium: sign-in, a read-only token without action buttons, the overview and both waiting messages with their 451 (screenshots), markup in a subject shown as text, hold and release, retry (delivered), delete after confirming (never delivered), suspend/resume, message trace with a timeline, 401 back to sign-in, no script error, CSP enforced"
