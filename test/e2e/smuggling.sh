#!/usr/bin/env bash
# SMTP smuggling: for each would-be end of data made of bare CR / bare LF (\n.\n, \r.\r, \r\n.\n,
# \n.\r\n), a raw-socket client hides a second transaction (evil@x -> victim@y) in the body of a
# message to real@e2e.test. Relay must treat it all as content: one reply to the real end of data,
# exactly one message per payload at the sink, addressed to the real recipient only, with the
# smuggled text inside it, and nothing ever addressed to victim@y.
#
# E2E_DIRECT=1 sends straight to the sink (no relay): a self-test of the client and the checks.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init smuggling 600 "$@"

PAYLOADS=(lf-dot-lf cr-dot-cr crlf-dot-lf lf-dot-crlf)
RUN_ID=$$-$RANDOM

start_sink
if [ "${E2E_DIRECT:-0}" = 1 ]; then
  target=$SINK_PORT
else
  ensure_relay_built
  RELAY_SMTP_PORT=$(free_port)
  start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")"
  target=$RELAY_SMTP_PORT
fi

for p in "${PAYLOADS[@]}"; do
  "$E2E_PYTHON" "$E2E_LIB/smuggle.py" "$target" "$p" "smuggle-$p-$RUN_ID" > "$E2E_TMP/$p.transcript" 2>&1 \
    || fail "$p: the session went wrong:
$(cat "$E2E_TMP/$p.transcript")"
  e2e_log "sent: $p"
done

wait_for 60 "${#PAYLOADS[@]} messages at the sink" sink_has_at_least "${#PAYLOADS[@]}"
# A smuggled second message would be delivered alongside the real one; give it a moment to show up
# before counting (a shell script may wait; the relay has no queue to drain beyond these four).
sleep 2

if grep -l 'victim@y' "$SINK_DIR"/*.json > "$E2E_TMP/victims" 2>/dev/null; then
  fail "a smuggled message reached victim@y: $(cat "$E2E_TMP/victims")"
fi
for p in "${PAYLOADS[@]}"; do
  mapfile -t found < <("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "X-E2E-Id: smuggle-$p-$RUN_ID")
  [ "${#found[@]}" -eq 1 ] || fail "$p: expected 1 message at the sink, found ${#found[@]}"
  "$E2E_PYTHON" "$E2E_LIB/check.py" envelope "${found[0]%.eml}.json" sender@e2e.test real@e2e.test \
    || fail "$p: wrong envelope"
  grep -q 'smuggled' "${found[0]}" || fail "$p: the smuggled text is not inside the message"
  grep -q 'MAIL FROM:<evil@x>' "${found[0]}" || fail "$p: the smuggled MAIL FROM is not inside the message"
  e2e_log "ok: $p (one message, real recipient only, smuggled text inside)"
done
total=$(sink_count)
[ "$total" -eq "${#PAYLOADS[@]}" ] || fail "the sink has $total messages, expected ${#PAYLOADS[@]}"

echo "smuggling: PASS — ${#PAYLOADS[@]} payloads, ${#PAYLOADS[@]} messages, none smuggled$([ "${E2E_DIRECT:-0}" = 1 ] && echo ' (direct to sink)')"
