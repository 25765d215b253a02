#!/usr/bin/env bash
# Never an open relay: clients are told apart by their loopback source address (127.0.0.x).
#   127.0.0.1 matches no inbound connector      -> 554 5.7.1, nothing queued
#   127.0.0.2 "printers": relay = false, may send to inside.test only
#                         to outside.test       -> 550 5.7.1 at RCPT, nothing queued
#                         to inside.test        -> accepted and delivered
#   127.0.0.3 "apps": relay = true              -> accepted and delivered anywhere
# Exactly the two accepted messages reach the sink.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init access 600 "$@"

RUN_ID=$$-$RANDOM
INBOUND='[
  { name = "printers", client-networks = ["127.0.0.2"], relay = false, recipient-domains = ["inside.test"] },
  { name = "apps", client-networks = ["127.0.0.3"], relay = true }
]'

start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)" false "$INBOUND")"

# probe NAME SOURCE RECIPIENT EXPECTED_PATTERN: one transaction; its replies must match the pattern.
probe() {
  local replies
  replies=$("$E2E_PYTHON" "$E2E_LIB/probe.py" "$RELAY_SMTP_PORT" "$2" device@e2e.test "$3" "access-$1-$RUN_ID")
  [[ $replies =~ $4 ]] || fail "$1 (from $2 to $3): replies '$replies' do not match /$4/"
  e2e_log "ok: $1: $replies"
}

probe unknown-client 127.0.0.1 someone@outside.test '554-5\.7\.1'
probe printer-outside 127.0.0.2 someone@outside.test '^220 250 250 550-5\.7\.1'
probe printer-inside 127.0.0.2 someone@inside.test '^220 250 250 250 354 250 221'
probe app-outside 127.0.0.3 someone@outside.test '^220 250 250 250 354 250 221'

wait_for 60 "2 messages at the sink" sink_has_at_least 2
sleep 1 # a wrongly accepted message would be delivered alongside; let it show before counting
for accepted in printer-inside app-outside; do
  [ -n "$("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "access-$accepted-$RUN_ID")" ] \
    || fail "$accepted was accepted but not delivered"
done
[ "$(sink_count)" -eq 2 ] || fail "the sink has $(sink_count) messages, expected 2 (a refused message got through)"
echo "access: PASS — unknown client refused (554 5.7.1), relaying denied to a non-relay connector (550 5.7.1), allowed mail delivered"
