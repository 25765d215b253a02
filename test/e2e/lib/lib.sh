# Sourced by the end-to-end scripts in test/e2e (it lives in lib/ so bin/test does not run it).
# Gives each script: a private temp dir, a whole-script time limit, a cleanup trap that stops every
# process the script started, free loopback ports, a test CA, the Python sink and the relay.
#
# Usage at the top of a script:
#   . "$(dirname "$0")/lib/lib.sh"
#   e2e_init NAME [TIME_LIMIT_SECONDS] "$@"
#
# Environment knobs: E2E_KEEP=1 keeps the temp dir (its path is printed); E2E_PYTHON overrides the
# interpreter that has aiosmtpd (default Debian's /usr/bin/python3).

E2E_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_ROOT=$(cd "$E2E_LIB/../../.." && pwd)
# The python3 on PATH may be a pyenv interpreter without aiosmtpd; Debian's has it.
E2E_PYTHON=${E2E_PYTHON:-/usr/bin/python3}
E2E_PIDS=()

e2e_log() { printf '[%s %s] %s\n' "$E2E_NAME" "$(date +%H:%M:%S)" "$*" >&2; }

# Prints the reason, the tail of the relay's log if there is one, and exits non-zero (the EXIT trap
# then cleans up).
fail() {
  printf '[%s] FAIL: %s\n' "${E2E_NAME:-e2e}" "$*" >&2
  if [ -n "${RELAY_LOG:-}" ] && [ -f "$RELAY_LOG" ]; then
    echo "---- last lines of the relay log ($RELAY_LOG)" >&2
    tail -n 30 "$RELAY_LOG" >&2
    echo "----" >&2
  fi
  exit 1
}

# Re-runs the calling script under `timeout` so that the whole script is bounded in time, then sets
# up the temp dir and the cleanup trap. timeout signals its whole process group, so a hang anywhere
# (relay, sink, client) ends the run and the EXIT trap still runs.
e2e_init() {
  E2E_NAME=$1
  local limit=$2
  shift 2
  if [ -z "${E2E_UNDER_TIMEOUT:-}" ]; then
    E2E_UNDER_TIMEOUT=1 exec timeout --kill-after=15 "${E2E_TIME_LIMIT:-$limit}" bash "$0" "$@"
  fi
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/relay-e2e-$E2E_NAME.XXXXXX")
  trap e2e_cleanup EXIT
  trap 'fail "interrupted or out of time (limit ${E2E_TIME_LIMIT:-$limit}s)"' TERM INT
}

# e2e_cleanup [EXIT_STATUS]: the EXIT trap (a caller's own trap passes the status it saw).
e2e_cleanup() {
  local rc=${1:-$?} pid
  set +e # a failing kill or rm must not cut the cleanup short
  for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${E2E_PIDS[@]}"; do
    # Bounded wait: whatever ignores TERM for 10 s gets KILL.
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    echo "[$E2E_NAME] kept $E2E_TMP" >&2
  else
    rm -rf "$E2E_TMP"
  fi
  exit "$rc"
}

# Remembers a background process so the cleanup trap stops it.
e2e_track() { E2E_PIDS+=("$1"); }

# Prints a TCP port that is free on 127.0.0.1 right now (the kernel picks it by binding port 0).
free_port() {
  "$E2E_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT SECONDS: waits until something accepts connections on 127.0.0.1:PORT.
wait_port() {
  "$E2E_PYTHON" - "$1" "$2" <<'EOF' || fail "nothing listens on 127.0.0.1:$1 after $2 s"
import socket, sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.1
  done
}

# make_test_ca DIR: a throw-away CA (DIR/ca.pem) and a server certificate signed by it for
# localhost and 127.0.0.1 (DIR/server.pem, DIR/server.key), as the sink's STARTTLS identity.
make_test_ca() {
  local d=$1
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Relay e2e test CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null || fail "openssl could not create the test CA"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || fail "openssl: server key"
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" > "$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null || fail "openssl: server cert"
}

# start_sink [sink.py options...]: starts the Python sink on a free loopback port. Sets SINK_PORT,
# SINK_DIR (where messages land) and SINK_PID.
start_sink() {
  SINK_DIR=$E2E_TMP/sink
  mkdir -p "$SINK_DIR"
  "$E2E_PYTHON" "$E2E_LIB/sink.py" --dir "$SINK_DIR" --port-file "$E2E_TMP/sink.port" "$@" \
    > "$E2E_TMP/sink.log" 2>&1 &
  SINK_PID=$!
  e2e_track "$SINK_PID"
  wait_for 20 "the sink to start (see $E2E_TMP/sink.log)" test -s "$E2E_TMP/sink.port"
  SINK_PORT=$(cat "$E2E_TMP/sink.port")
  kill -0 "$SINK_PID" 2>/dev/null || fail "the sink died: $(cat "$E2E_TMP/sink.log")"
}

# Prints how many complete messages the sink has stored.
sink_count() { find "$SINK_DIR" -maxdepth 1 -name '*.eml' | wc -l; }

sink_has_at_least() { [ "$(sink_count)" -ge "$1" ]; }

# Builds the relay once (bin/relay builds itself when sources are newer than the jar), so that no
# later timing includes a Maven build.
ensure_relay_built() {
  [ -x "$E2E_ROOT/bin/relay" ] || fail "no bin/relay in $E2E_ROOT"
  "$E2E_ROOT/bin/relay" --help > "$E2E_TMP/relay-help.log" 2>&1 \
    || fail "bin/relay --help failed: $(tail -n 20 "$E2E_TMP/relay-help.log")"
}

# relay_config SMTP_PORT ADMIN_PORT CONNECTOR_HOCON [LISTENER_STARTTLS] [INBOUND_CONNECTORS_HOCON]:
# prints a relay config with one listener on 127.0.0.1; by default it accepts and relays everything
# from loopback.
relay_config() {
  local smtp_port=$1 admin_port=$2 connector=$3 starttls=${4:-false}
  local inbound=${5:-'[ { name = "loopback", client-networks = ["127.0.0.0/8", "::1"], relay = true } ]'}
  cat <<EOF
relay {
  home = \${?RELAY_HOME}
  hostname = "relay.test"
  listeners = [ { name = "default", address = "127.0.0.1", port = $smtp_port, starttls = $starttls,
    inbound-connectors = $inbound } ]
  spool { min-free-space = 10MiB }
  outbound-connectors = [ $connector ]
  delivery {
    retry { initial-delay = 1s, max-delay = 5s, max-lifetime = 1h }
  }
  admin { port = $admin_port }
}
EOF
}

# smart_host_connector SINK_PORT TLS_MODE [CA_FILE]: the HOCON object for relay_config.
smart_host_connector() {
  local ca=""
  [ -n "${3:-}" ] && ca=", ca-file = \"$3\""
  echo "{ name = \"upstream\", type = smart-host, hosts = [\"127.0.0.1\"], port = $1, tls = $2$ca, max-connections = 20, recipient-domains = [\"*\"] }"
}

# start_relay CONFIG_TEXT [HOME]: validates the config, starts the relay with RELAY_HOME=HOME
# (default $E2E_TMP/relay-home; pass the same HOME again to restart on the same spool), and waits
# for its "Relay ready" line and its SMTP port. Sets RELAY_PID (the JVM itself: bin/relay execs
# java), RELAY_LOG and RELAY_CONF. Needs RELAY_SMTP_PORT set to the port in the config.
start_relay() {
  local config=$1 home=${2:-$E2E_TMP/relay-home} n
  mkdir -p "$home"
  # A directory of its own, as /etc/relay would be: the relay watches its configuration's directory
  # for changes, and the logs and counters written to $E2E_TMP would keep waking that watcher.
  mkdir -p "$E2E_TMP/conf"
  RELAY_CONF=$E2E_TMP/conf/relay.conf
  printf '%s\n' "$config" > "$RELAY_CONF"
  RELAY_HOME="$home" "$E2E_ROOT/bin/relay" check-config "$RELAY_CONF" > "$E2E_TMP/check-config.log" 2>&1 \
    || fail "bin/relay check-config rejected $RELAY_CONF: $(cat "$E2E_TMP/check-config.log")"
  n=$(find "$E2E_TMP" -maxdepth 1 -name 'relay-[0-9]*.log' | wc -l)
  RELAY_LOG=$E2E_TMP/relay-$n.log
  RELAY_HOME="$home" "$E2E_ROOT/bin/relay" --config "$RELAY_CONF" > "$RELAY_LOG" 2>&1 &
  RELAY_PID=$!
  e2e_track "$RELAY_PID"
  wait_for 120 "the relay's 'Relay ready' line" relay_ready_or_dead
  wait_port "$RELAY_SMTP_PORT" 10
}

relay_ready_or_dead() {
  kill -0 "$RELAY_PID" 2>/dev/null || fail "the relay exited during start-up"
  grep -qs 'Relay ready' "$RELAY_LOG" # -s: the background shell may not have created it yet
}

# stop_relay: TERM, then a bounded wait (the relay should shut down cleanly well within 30 s).
stop_relay() {
  kill -TERM "$RELAY_PID" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$RELAY_PID" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$RELAY_PID" 2>/dev/null || true
  fail "the relay did not stop within 30 s of SIGTERM"
}
