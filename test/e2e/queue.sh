#!/usr/bin/env bash
# relay queue through the real launcher against a running relay whose upstream (the sink) answers
# 451 for now, with a retry delay of an hour: three messages wait. The operator lists them, looks
# at one, deletes one, and once the upstream is back retries the connector: exactly the two kept
# messages arrive, the deleted one never does, and audit.log names each action.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init queue 600 "$@"

RUN_ID=$$-$RANDOM
FLAG=$E2E_TMP/sink-refuses
touch "$FLAG"
start_sink --tempfail-flag "$FLAG" --tempfail-at data
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
config=$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")
config="${config/retry \{ initial-delay = 1s, max-delay = 5s, max-lifetime = 1h \}/retry { initial-delay = 1h, max-delay = 2h, max-lifetime = 1d \}}"
start_relay "$config"
export RELAY_HOME=$E2E_TMP/relay-home

queue() { "$E2E_ROOT/bin/relay" queue --config "$RELAY_CONF" "$@" 2>&1 | grep -v '^\[.*cds' ; }

for n in 1 2 3; do
  replies=$("$E2E_PYTHON" "$E2E_LIB/probe.py" "$RELAY_SMTP_PORT" 127.0.0.1 "device$n@e2e.test" "someone$n@example.test" "queue-$n-$RUN_ID")
  [[ $replies == "220 250 250 250 354 250 221" ]] || fail "message $n not accepted: $replies"
done
wait_for 60 "three messages queued" bash -c "$(declare -f queue); E2E_ROOT='$E2E_ROOT' RELAY_CONF='$RELAY_CONF' RELAY_HOME='$RELAY_HOME' queue list | grep -q '^3 message(s)'"

listing=$(queue list)
e2e_log "relay queue list:"$'\n'"$listing"
id2=$(grep 'device2@e2e.test' <<< "$listing" | cut -d' ' -f1)
[ -n "$id2" ] || fail "device2's message is not listed"
queue show "$id2" | grep -q "someone2@example.test" || fail "relay queue show $id2 does not show its recipient"
queue summary | grep -q "3 message(s) queued" || fail "relay queue summary: $(queue summary)"
queue delete "$id2" | grep -q "$id2: removed" || fail "relay queue delete $id2 failed"

rm -f "$FLAG"
queue retry --connector upstream | grep -q "every waiting message is due now" || fail "relay queue retry --connector failed"
wait_for 60 "two messages at the sink" sink_has_at_least 2
sleep 2
[ "$(sink_count)" -eq 2 ] || fail "the sink has $(sink_count) messages, expected 2 (the deleted one must never arrive)"
[ -z "$("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "queue-2-$RUN_ID")" ] || fail "the deleted message arrived"
grep -q "\"action\":\"delete\",\"target\":\"$id2\"" "$RELAY_HOME/logs/audit.log" || fail "audit.log lacks the delete"
grep -q '"action":"retry-connector"' "$RELAY_HOME/logs/audit.log" || fail "audit.log lacks the retry"
echo "queue: PASS — 3 waiting messages listed and shown through bin/relay queue, one deleted, the connector retried: 2 delivered, the deleted one never, both actions in audit.log"
