#!/usr/bin/env bash
# A reload sent the moment the relay answers SMTP (a supervisor's "systemctl reload" right after
# start, or a script that edits the configuration after starting it): until the relay has installed
# its SIGHUP handler, the JVM's default would end the process. Relay must live on and apply the
# reload once started. Three times, each a fresh relay.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init reload 300 "$@"

ensure_relay_built
for i in 1 2 3; do
  RELAY_SMTP_PORT=$(free_port)
  mkdir -p "$E2E_TMP/conf-$i" "$E2E_TMP/home-$i"
  relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$(free_port)" none)" > "$E2E_TMP/conf-$i/relay.conf"
  log=$E2E_TMP/relay-start-$i.log
  RELAY_HOME="$E2E_TMP/home-$i" "$E2E_ROOT/bin/relay" --config "$E2E_TMP/conf-$i/relay.conf" > "$log" 2>&1 &
  pid=$!
  e2e_track "$pid"
  answers() { (exec 3<> "/dev/tcp/127.0.0.1/$RELAY_SMTP_PORT") 2> /dev/null; }
  wait_for 120 "relay $i answering SMTP" answers
  kill -HUP "$pid"
  reloaded() {
    kill -0 "$pid" 2> /dev/null || fail "relay $i exited after a SIGHUP during start-up: $(tail -n 5 "$log")"
    grep -qs 'Relay ready' "$log" && grep -qs 'configuration reloaded' "$log"
  }
  wait_for 60 "relay $i ready and reloaded" reloaded
  kill -TERM "$pid"
  wait "$pid" 2> /dev/null || true
done
echo "reload: PASS — SIGHUP the moment SMTP answers, 3 fresh relays: each lived on and reloaded once started"
