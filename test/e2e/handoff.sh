#!/usr/bin/env bash
# Drain and hand-off between two relays on loopback. Node A's upstream is a closed port, so the
# mail it accepts waits; one message is held by an operator. `relay drain` on A: new connections get
# 421 4.3.2, /readyz 503 while /healthz stays 200, and --wait runs out (exit 3) because nothing can
# leave. A is stopped; `relay queue export` moves its queue into an archive (the first run is killed
# with SIGKILL part-way: its archive does not import, a second run finishes it); `relay queue import`
# (the first run killed with SIGKILL part-way, then run twice more: the last adds nothing) puts it
# into B's spool while B is stopped; B starts with the
# Python sink as upstream, the held message is released, and every Message-ID arrives exactly once.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init handoff 600 "$@"

N=${HANDOFF_MESSAGES:-600}
RUN_ID=$$-$RANDOM
relay() { "$E2E_ROOT/bin/relay" "$@" 2> >(grep -v 'cds' >&2); }

start_sink
ensure_relay_built

# Node A: its upstream is a port nothing listens on.
CLOSED=$(free_port)
RELAY_SMTP_PORT=$(free_port)
A_SMTP=$RELAY_SMTP_PORT
A_ADMIN=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$A_ADMIN" "$(smart_host_connector "$CLOSED" none)")" "$E2E_TMP/a-home"
A_PID=$RELAY_PID
cp "$RELAY_CONF" "$E2E_TMP/a.conf"

e2e_log "sending $N messages to node A"
"$E2E_PYTHON" - "$A_SMTP" "$N" "$RUN_ID" <<'PY' || fail "node A did not accept every message"
import smtplib, sys
port, n, run = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    for i in range(n):
        body = (f"From: device@e2e.test\r\nTo: someone@example.test\r\nSubject: hand-off {i}\r\n"
                f"Message-ID: <handoff-{i}-{run}@e2e.test>\r\n\r\nmessage {i}\r\n")
        s.sendmail("device@e2e.test", ["someone@example.test"], body)
PY
export RELAY_HOME=$E2E_TMP/a-home
wait_for 60 "$N messages queued on A" bash -c "'$E2E_ROOT/bin/relay' queue --config '$E2E_TMP/a.conf' list --limit 100000 2>/dev/null | grep -q '^$N message(s)'"
held_id=$(relay queue --config "$E2E_TMP/a.conf" list --limit 1 | sed -n 2p | cut -d' ' -f1)
wait_for 30 "message $held_id held" bash -c "'$E2E_ROOT/bin/relay' queue --config '$E2E_TMP/a.conf' hold '$held_id' 2>/dev/null | grep -q 'held until released'"

# Drain A.
drained=$(relay drain --config "$E2E_TMP/a.conf")
e2e_log "relay drain:"$'\n'"$drained"
grep -q "drained since" <<< "$drained" || fail "relay drain did not drain: $drained"
replies=$("$E2E_PYTHON" "$E2E_LIB/probe.py" "$A_SMTP" 127.0.0.1 device@e2e.test someone@example.test late-$RUN_ID)
[[ $replies == 421* ]] || fail "a new connection to the drained node got '$replies', not 421"
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A_ADMIN/readyz")
alive=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A_ADMIN/healthz")
[ "$ready" = 503 ] && [ "$alive" = 200 ] || fail "drained: /readyz $ready (want 503), /healthz $alive (want 200)"
curl -s "http://127.0.0.1:$A_ADMIN/metrics" | grep -q '^relay_drained 1' || fail "relay_drained is not 1"
set +e
relay drain --config "$E2E_TMP/a.conf" --status --wait 3s > "$E2E_TMP/wait.out"
waited=$?
set -e
[ "$waited" = 3 ] || fail "relay drain --wait should run out (exit 3) while the upstream is down; exit $waited"
grep -q "$((N - 1)) to deliver, 1 held" "$E2E_TMP/wait.out" || fail "the report does not count the queue: $(cat "$E2E_TMP/wait.out")"
grep -q '"action":"drain"' "$E2E_TMP/a-home/logs/audit.log" || fail "audit.log lacks the drain"

# Stop A and export its queue: the first export is killed (SIGKILL) once it has begun writing the
# archive; that archive cannot be imported, and running the export again finishes it.
RELAY_PID=$A_PID stop_relay
"$E2E_ROOT/bin/relay" queue --config "$E2E_TMP/a.conf" export --to "$E2E_TMP/archive" > "$E2E_TMP/export-1.log" 2>&1 &
export_pid=$! # bin/relay execs java: this is the JVM
wait_for 120 "the export to begin archiving" bash -c "[ -n \"\$(find '$E2E_TMP/archive/messages' -name '*.msg' 2>/dev/null | head -1)\" ] || ! kill -0 $export_pid 2>/dev/null"
kill -KILL "$export_pid" 2>/dev/null || true
wait "$export_pid" 2>/dev/null || true
if [ -f "$E2E_TMP/archive/manifest" ]; then
  e2e_log "the first export finished before SIGKILL reached it"
else
  left=$(find "$E2E_TMP/a-home/spool/queue" -name '*.msg' | wc -l)
  taken=$(find "$E2E_TMP/a-home/spool/exported" -name '*.msg' | wc -l)
  archived=$(find "$E2E_TMP/archive/messages" -name '*.msg' | wc -l)
  e2e_log "export killed: $left message(s) still queued on A, $taken taken out of the queue, $archived archived"
  set +e
  RELAY_HOME=$E2E_TMP/b-home "$E2E_ROOT/bin/relay" queue --config "$E2E_TMP/a.conf" import "$E2E_TMP/archive" > "$E2E_TMP/early-import.log" 2>&1
  early=$?
  set -e
  [ "$early" = 1 ] && grep -q "no manifest" "$E2E_TMP/early-import.log" \
    || fail "an unfinished archive must not import: exit $early, $(cat "$E2E_TMP/early-import.log")"
  rm -rf "$E2E_TMP/b-home"
fi
exported=$(relay queue --config "$E2E_TMP/a.conf" export --to "$E2E_TMP/archive")
e2e_log "relay queue export: $exported"
grep -q "exported $N message(s)" <<< "$exported" || fail "export: $exported"
[ -z "$(find "$E2E_TMP/a-home/spool/queue" -name '*.msg')" ] || fail "A's queue still holds messages after the export"

# Node B, stopped: import twice.
B_SMTP=$(free_port)
B_ADMIN=$(free_port)
config_b=$(relay_config "$B_SMTP" "$B_ADMIN" "$(smart_host_connector "$SINK_PORT" none)")
printf '%s\n' "$config_b" > "$E2E_TMP/b.conf"
export RELAY_HOME=$E2E_TMP/b-home
mkdir -p "$RELAY_HOME"
# The first import is killed with SIGKILL once it has committed some messages; the next run takes
# the rest, and none twice.
"$E2E_ROOT/bin/relay" queue --config "$E2E_TMP/b.conf" import "$E2E_TMP/archive" > "$E2E_TMP/import-1.log" 2>&1 &
import_pid=$!
wait_for 120 "the import to commit some messages" bash -c "[ -n \"\$(find '$RELAY_HOME/spool/imports/done' -type f 2>/dev/null | head -1)\" ] || ! kill -0 $import_pid 2>/dev/null"
kill -KILL "$import_pid" 2>/dev/null || true
wait "$import_pid" 2>/dev/null || true
first=$(find "$RELAY_HOME/spool/imports/done" -type f | wc -l)
pending=$(find "$RELAY_HOME/spool/imports/pending" -type f 2>/dev/null | wc -l)
e2e_log "import killed: $first message(s) marked imported, $pending pending"
imported=$(relay queue --config "$E2E_TMP/b.conf" import "$E2E_TMP/archive")
e2e_log "relay queue import: $imported"
now=$(sed -n 's/^imported \([0-9]*\) message(s).*/\1/p' <<< "$imported")
before=$(sed -n 's/^\([0-9]*\) message(s) imported here before.*/\1/p' <<< "$imported")
[ "$((now + ${before:-0}))" = "$N" ] || fail "the two imports do not add up to $N: $imported"
[ "$(find "$RELAY_HOME/spool/queue" -name '*.msg' | wc -l)" = "$N" ] || fail "B's queue does not hold $N messages after the import"
again=$(relay queue --config "$E2E_TMP/b.conf" import "$E2E_TMP/archive")
grep -q "imported 0 message(s)" <<< "$again" && grep -q "$N message(s) imported here before" <<< "$again" \
  || fail "a second import should add nothing: $again"

# B delivers them.
RELAY_SMTP_PORT=$B_SMTP
start_relay "$config_b" "$RELAY_HOME"
relay queue --config "$RELAY_CONF" retry --all > /dev/null || fail "relay queue retry --all on B"
wait_for 60 "B to take up the held message" bash -c "'$E2E_ROOT/bin/relay' queue --config '$RELAY_CONF' release '$held_id' 2>/dev/null | grep -q 'released'"
wait_for 120 "$N messages at the sink" sink_has_at_least "$N"
sleep 2
ids=$(cat "$SINK_DIR"/*.eml | tr -d '\r' | grep -i '^Message-ID: <handoff-' | sort)
total=$(wc -l <<< "$ids")
unique=$(uniq <<< "$ids" | wc -l)
[ "$total" = "$N" ] && [ "$unique" = "$N" ] || fail "the sink has $total Message-IDs, $unique distinct; want $N each exactly once"
[ "$(sink_count)" = "$N" ] || fail "the sink has $(sink_count) messages, want $N"
wait_for 30 "B's queue to empty" bash -c "[ -z \"\$(find '$RELAY_HOME/spool/queue' -name '*.msg')\" ]"
echo "handoff: PASS — $N messages queued on A (upstream down, 1 held); drained (421, readyz 503, healthz 200, --wait exit 3); export and import each killed with SIGKILL part-way and run again, a last import adding nothing; B delivered each Message-ID exactly once. $exported"
