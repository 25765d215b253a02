# Sourced by the bench scripts after test/e2e/lib/lib.sh.
# start_sink: smtp-sink on a free loopback port that takes every message and throws it
# away (as nobody when run as root: smtp-sink refuses root without -u). Sets SINK_PORT.
start_sink() {
  local user=()
  [ "$(id -u)" != 0 ] || user=(-u nobody)
  SINK_PORT=$(free_port)
  smtp-sink "${user[@]}" "127.0.0.1:$SINK_PORT" 1000 > /dev/null 2>&1 &
  e2e_track $!
  wait_port "$SINK_PORT" 10
}
