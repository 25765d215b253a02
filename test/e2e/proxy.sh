#!/usr/bin/env bash
# Relay behind a real HAProxy (Debian's haproxy) that announces each client with the PROXY protocol.
# HAProxy at 127.0.0.1 is the only trusted load balancer (proxy-protocol-from); clients are told
# apart by their loopback source address:
#   via HAProxy (PROXY v2), from 127.0.0.2 "printers" (relay = false) -> inside.test accepted,
#                                                          outside.test 550 5.7.1
#   via HAProxy (PROXY v1), from 127.0.0.3 "apps"     -> accepted anywhere
#   via HAProxy (PROXY v2), from 127.0.0.4 (no connector) -> 554 5.7.1, though HAProxy's own
#                                                             address is trusted
#   direct from 127.0.0.1 (the balancer's address, no header) -> closed without a greeting
#   direct from 127.0.0.3 sending its own PROXY header       -> 554 5.7.1
# Delivered mail names the real client in its Received: header; HAProxy's health check asks the
# admin port's /readyz (if it failed, HAProxy would route nothing and the test would fail).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init proxy 600 "$@"
command -v haproxy >/dev/null || fail "haproxy is not installed (apt-get install haproxy; .ci/run does)"

RUN_ID=$$-$RANDOM
start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
V1_PORT=$(free_port)
V2_PORT=$(free_port)
start_relay "relay {
  home = \${?RELAY_HOME}
  hostname = \"relay.test\"
  listeners = [ { name = \"behind-lb\", address = \"127.0.0.1\", port = $RELAY_SMTP_PORT, starttls = false,
    proxy-protocol-from = [\"127.0.0.1/32\"],
    inbound-connectors = [
      { name = \"printers\", client-networks = [\"127.0.0.2\"], relay = false, recipient-domains = [\"inside.test\"] },
      { name = \"apps\", client-networks = [\"127.0.0.3\"], relay = true }
    ] } ]
  spool { min-free-space = 10MiB }
  outbound-connectors = [ $(smart_host_connector "$SINK_PORT" none) ]
  admin { port = $ADMIN_PORT }
}"
grep -q "behind PROXY protocol from \[127.0.0.1/32\]" "$RELAY_LOG" || fail "the ready line does not mention the PROXY protocol"

cat > "$E2E_TMP/haproxy.cfg" <<EOF
global
  maxconn 200
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
backend relay_v2
  option httpchk
  http-check send meth GET uri /readyz
  server relay 127.0.0.1:$RELAY_SMTP_PORT send-proxy-v2 check port $ADMIN_PORT inter 1s
backend relay_v1
  server relay 127.0.0.1:$RELAY_SMTP_PORT send-proxy
frontend smtp_v2
  bind 127.0.0.1:$V2_PORT
  default_backend relay_v2
frontend smtp_v1
  bind 127.0.0.1:$V1_PORT
  default_backend relay_v1
EOF
haproxy -c -q -f "$E2E_TMP/haproxy.cfg" || fail "haproxy rejected its configuration"
haproxy -db -f "$E2E_TMP/haproxy.cfg" > "$E2E_TMP/haproxy.log" 2>&1 &
e2e_track $!
wait_port "$V1_PORT" 10
wait_port "$V2_PORT" 10
sleep 2 # the health check marks the server up (it starts up with one check passed)

# probe NAME PORT SOURCE RECIPIENT EXPECTED_PATTERN: one transaction; its replies must match.
probe() {
  local replies
  replies=$("$E2E_PYTHON" "$E2E_LIB/probe.py" "$2" "$3" device@e2e.test "$4" "proxy-$1-$RUN_ID")
  [[ $replies =~ $5 ]] || fail "$1 (port $2 from $3 to $4): replies '$replies' do not match /$5/"
  e2e_log "ok: $1: $replies"
}

probe printer-inside "$V2_PORT" 127.0.0.2 someone@inside.test '^220 250 250 250 354 250 221$'
probe printer-outside "$V2_PORT" 127.0.0.2 someone@outside.test '^220 250 250 550-5\.7\.1'
probe app-outside "$V1_PORT" 127.0.0.3 someone@outside.test '^220 250 250 250 354 250 221$'
probe unknown-client "$V2_PORT" 127.0.0.4 someone@outside.test '^554-5\.7\.1'
probe balancer-without-header "$RELAY_SMTP_PORT" 127.0.0.1 someone@outside.test '^closed$'
probe direct-app "$RELAY_SMTP_PORT" 127.0.0.3 someone@outside.test '^220 250 250 250 354 250 221$'

spoofed=$("$E2E_PYTHON" - "$RELAY_SMTP_PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20, source_address=("127.0.0.3", 0))
f = s.makefile("rb")
f.readline()
s.sendall(b"PROXY TCP4 127.0.0.2 127.0.0.1 40000 25\r\n")
print(f.readline().decode().strip(), "closed" if f.readline() == b"" else "open")
EOF
)
[[ $spoofed == "554 5.7.1 "*" closed" ]] || fail "a PROXY header from a client was not refused: $spoofed"
e2e_log "ok: PROXY header from a client: $spoofed"

wait_for 60 "3 messages at the sink" sink_has_at_least 3
sleep 1
for accepted in printer-inside:127.0.0.2 app-outside:127.0.0.3 direct-app:127.0.0.3; do
  file=$("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "proxy-${accepted%%:*}-$RUN_ID")
  [ -n "$file" ] || fail "${accepted%%:*} was accepted but not delivered"
  head -n 1 "$file" | grep -qF "[${accepted#*:}]" \
    || fail "${accepted%%:*}: the Received header does not name ${accepted#*:}: $(head -n 1 "$file")"
done
[ "$(sink_count)" -eq 3 ] || fail "the sink has $(sink_count) messages, expected 3"
grep -rq "connect from 127.0.0.2:[0-9]* via 127.0.0.1:[0-9]* (PROXY v2)" "$E2E_TMP/relay-home" \
  || fail "protocol.log does not record the balancer"
echo "proxy: PASS — through HAProxy (PROXY v1 and v2) the named client decides the connector (550/554 for others), the balancer without a header and a client with its own header are refused, Received names the real client"
