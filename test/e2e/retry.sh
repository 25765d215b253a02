#!/usr/bin/env bash
# Temporary upstream failures: while a flag file exists the sink answers 451 to the end of data.
# Relay must accept the message anyway (it is queued), try, be refused, keep it, and deliver it
# intact once the sink accepts again (retry starts at 1 s, backs off to at most 5 s).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init retry 600 "$@"

FLAG=$E2E_TMP/refuse
MSG=$E2E_TMP/message.eml
touch "$FLAG"
printf '%s\r\n' "From: <device@e2e.test>" "To: <someone@example.test>" "Subject: e2e retry" \
  "X-E2E-Id: retry-$$" "" "delivered after temporary failures" > "$MSG"

refusals() { if [ -f "$SINK_DIR/refused.log" ]; then wc -l < "$SINK_DIR/refused.log"; else echo 0; fi; }
refused_at_least() { [ "$(refusals)" -ge "$1" ]; }

start_sink --tempfail-flag "$FLAG" --tempfail-at data
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")"

"$E2E_PYTHON" "$E2E_LIB/peer.py" "$RELAY_SMTP_PORT" device@e2e.test someone@example.test "$MSG" \
  > "$E2E_TMP/client.log" 2>&1 || fail "the relay did not accept the message: $(cat "$E2E_TMP/client.log")"

# Two refusals show the relay retried at least once rather than giving up after the first 451.
wait_for 60 "two delivery attempts refused by the sink (saw $(refusals))" refused_at_least 2
[ "$(sink_count)" -eq 0 ] || fail "the sink stored a message while refusing"
rm -f "$FLAG"
wait_for 30 "delivery once the sink accepts again" sink_has_at_least 1

"$E2E_PYTHON" "$E2E_LIB/check.py" same "$MSG" "$SINK_DIR/000001.eml" --strip-received \
  || fail "the retried message changed on the way"
"$E2E_PYTHON" "$E2E_LIB/check.py" envelope "$SINK_DIR/000001.json" device@e2e.test someone@example.test \
  || fail "the retried message's envelope changed"
[ "$(sink_count)" -eq 1 ] || fail "expected exactly one delivery, the sink has $(sink_count)"
echo "retry: PASS — refused $(refusals) times with 451, then delivered once, intact"
