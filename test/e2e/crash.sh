#!/usr/bin/env bash
# Durability across a crash: a 250 means the message is on disk. Ten parallel sessions send into
# Relay (smart host to the sink); after a few hundred acknowledged messages the JVM gets SIGKILL.
# Relay is restarted on the same home, and every message the client got a 250 for must reach the
# sink within a bounded time. Duplicates are acceptable, losses are not.
#
# Accounting uses our own client (lib/loadgen.py), not smtp-source's -c counter: it records which
# message numbers were acknowledged, so a loss cannot hide behind a duplicate.
#
# Knobs: CRASH_KILL_AFTER (acknowledged messages before the kill, default 300), CRASH_SESSIONS (10),
# CRASH_SIZE (2048 bytes), CRASH_DELIVERY_WAIT (120 s).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init crash 900 "$@"

KILL_AFTER=${CRASH_KILL_AFTER:-300}
SESSIONS=${CRASH_SESSIONS:-10}
SIZE=${CRASH_SIZE:-2048}
DELIVERY_WAIT=${CRASH_DELIVERY_WAIT:-120}
HOME_DIR=$E2E_TMP/relay-home
ACKS=$E2E_TMP/acks

acked() { if [ -f "$ACKS" ]; then wc -l < "$ACKS"; else echo 0; fi; }
acked_at_least() { [ "$(acked)" -ge "$1" ]; }
loadgen_done() { ! kill -0 "$LOADGEN_PID" 2>/dev/null; }
all_acked_delivered() { "$E2E_PYTHON" "$E2E_LIB/seqs.py" "$ACKS" "$SINK_DIR" > /dev/null; }

# Fresh ports for each start: the killed JVM's ports may linger in TIME_WAIT.
start_crash_relay() {
  RELAY_SMTP_PORT=$(free_port)
  start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")" "$HOME_DIR"
}

start_sink
ensure_relay_built
start_crash_relay
e2e_log "relay up (pid $RELAY_PID), sending with $SESSIONS sessions"

"$E2E_PYTHON" "$E2E_LIB/loadgen.py" "$RELAY_SMTP_PORT" "$SESSIONS" 1000000 "$SIZE" "$ACKS" \
  > "$E2E_TMP/loadgen.log" 2>&1 &
LOADGEN_PID=$!
e2e_track "$LOADGEN_PID"
wait_for 120 "$KILL_AFTER acknowledged messages (got $(acked))" acked_at_least "$KILL_AFTER"

# bin/relay execs java, so RELAY_PID is the JVM; make sure before killing it.
exe=$(readlink "/proc/$RELAY_PID/exe" || true)
case "$exe" in */java) ;; *) fail "pid $RELAY_PID is '$exe', not the JVM" ;; esac
kill -KILL "$RELAY_PID"
wait "$RELAY_PID" 2>/dev/null || true # reap it quietly (no "Killed" job notice)
wait_for 60 "the client to notice the crash" loadgen_done
at_kill=$(acked)
delivered_before=$(sink_count)
e2e_log "killed the relay: client had $at_kill acknowledged messages; sink had $delivered_before"

start_crash_relay
e2e_log "relay restarted on the same home (pid $RELAY_PID); waiting up to ${DELIVERY_WAIT}s for delivery"
deadline=$((SECONDS + DELIVERY_WAIT))
until all_acked_delivered; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "not every acknowledged message was delivered within ${DELIVERY_WAIT}s: $("$E2E_PYTHON" "$E2E_LIB/seqs.py" "$ACKS" "$SINK_DIR")"
  fi
  sleep 0.5
done
figures=$("$E2E_PYTHON" "$E2E_LIB/seqs.py" "$ACKS" "$SINK_DIR")
echo "crash: PASS — SIGKILL after $at_kill acknowledged messages ($delivered_before delivered before the kill); after restart: $figures"
