#!/usr/bin/env bash
# Three Relay nodes sharing their Microsoft 365 mailbox limits through a real redis-server, behind a
# real HAProxy (PROXY v2, health checks on /readyz), delivering to a stand-in for Microsoft 365
# (lib/m365_limits.py: STARTTLS, AUTH PLAIN, counts sessions per mailbox and messages per window,
# records every breach). Limits scaled down: 3 sessions and 10 messages per 2 s per mailbox, two
# mailboxes (senders @a.test and @b.test, 37 device addresses each).
#   1. A burst of 150 messages from many senders: mid-burst one node is killed (SIGKILL) and
#      restarted on its own spool; later Redis is stopped for a few seconds (nothing new starts,
#      /readyz says "degraded cluster-store", mail is still accepted) and started again.
#      Every message that got a 250 is delivered; the fake never saw more than 3 sessions or 10
#      messages per 2 s of one mailbox.
#   2. Throughput of 1, 2 and 3 nodes with limits that do not bind (8 mailboxes, 3 sessions each):
#      the same burst through HAProxy, accepted-to-delivered rate printed.
# Redis runs with an append-only file (fsync always) so that a stop keeps the windows, as
# docs/cluster.md advises for production.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init cluster 1500 "$@"
command -v haproxy >/dev/null || fail "haproxy is not installed (apt-get install haproxy; .ci/run does)"
command -v redis-server >/dev/null || fail "redis-server is not installed (apt-get install redis-server; .ci/run does)"

RUN_ID=$$-$RANDOM
PASSWORD=mailbox-pw-$RUN_ID
export E2E_MAILBOX_PASSWORD=$PASSWORD
printf 'ops-token-0123456789abcdef\n' > "$E2E_TMP/ops.token" # the read token every node knows (cluster views)
ensure_relay_built
make_test_ca "$E2E_TMP/pki"

# --- Redis ---------------------------------------------------------------------------------------
REDIS_PORT=$(free_port)
mkdir -p "$E2E_TMP/redis"
start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always \
    --dir "$E2E_TMP/redis" --daemonize no >> "$E2E_TMP/redis/redis.log" 2>&1 &
  REDIS_PID=$!
  e2e_track "$REDIS_PID"
  wait_port "$REDIS_PORT" 10
}
stop_redis() { kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; }

# --- the stand-in for Microsoft 365 --------------------------------------------------------------
# start_m365 NAME MESSAGES WINDOW: sets M365_PORT and M365_DIR.
start_m365() {
  M365_DIR=$E2E_TMP/$1
  mkdir -p "$M365_DIR"
  "$E2E_PYTHON" "$E2E_LIB/m365_limits.py" --port-file "$M365_DIR/port" --dir "$M365_DIR" \
    --cert "$E2E_TMP/pki/server.pem" --key "$E2E_TMP/pki/server.key" --password "$PASSWORD" \
    --max-sessions 3 --messages "$2" --window "$3" > "$M365_DIR/m365.log" 2>&1 &
  e2e_track $!
  M365_PID=$!
  wait_for 20 "the fake Microsoft 365 to start" test -s "$M365_DIR/port"
  M365_PORT=$(cat "$M365_DIR/port")
}
state() { "$E2E_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$M365_DIR/state.json" "$1"; }
delivered() { state delivered; }
delivered_at_least() { [ "$(delivered)" -ge "$1" ]; }

# --- Relay nodes ---------------------------------------------------------------------------------
declare -A NODE_PID NODE_SMTP NODE_ADMIN
# node_config N IDENTITIES PACING [#]: a "#" as fourth argument comments the cluster section out (a
# single node, for the baseline).
node_config() {
  cat <<EOF
relay {
  home = \${?RELAY_HOME}
  hostname = "relay.test"
  listeners = [ { name = "lb", address = "127.0.0.1", port = ${NODE_SMTP[$1]}, starttls = false,
    proxy-protocol-from = ["127.0.0.1/32"],
    inbound-connectors = [ { name = "devices", client-networks = ["127.0.0.0/8"], relay = true } ] } ]
  spool { min-free-space = 10MiB }
  outbound-connectors = [ { name = "m365", type = smtp-auth, host = "localhost", port = $M365_PORT,
    ca-file = "$E2E_TMP/pki/ca.pem", auth = plain, password = "env:E2E_MAILBOX_PASSWORD",
    identities = [ $2 ], pacing { $3 }, recipient-domains = ["*"] } ]
  admin { port = ${NODE_ADMIN[$1]}, tokens = [ { name = "ops", token = "file:$E2E_TMP/ops.token", role = read } ] }
  ${4:-}cluster { node-name = "relay-$1", key-prefix = "e2e-$RUN_ID:", lease-ttl = 10s, admin-url = "http://127.0.0.1:${NODE_ADMIN[$1]}", redis { host = "127.0.0.1", port = $REDIS_PORT } }
}
EOF
}
# start_node N: starts node N on its own home with $E2E_TMP/nodeN/relay.conf.
start_node() {
  local dir=$E2E_TMP/node$1
  RELAY_HOME="$dir/home" "$E2E_ROOT/bin/relay" --config "$dir/relay.conf" >> "$dir/relay.out" 2>&1 &
  NODE_PID[$1]=$!
  e2e_track "${NODE_PID[$1]}"
}
# node_ready N BEFORE: node N has written more 'Relay ready' lines than BEFORE (it is up again).
node_ready() {
  kill -0 "${NODE_PID[$1]}" 2>/dev/null || fail "node $1 exited: $(tail -n 20 "$E2E_TMP/node$1/relay.out")"
  [ "$(grep -c 'Relay ready' "$E2E_TMP/node$1/relay.out")" -gt "$2" ]
}
wait_node() { wait_for 180 "node $1's 'Relay ready' line" node_ready "$1" "$2"; }
# configure_nodes "N..." IDENTITIES PACING [#]: writes each node's configuration (new ports).
configure_nodes() {
  local n
  for n in $1; do
    mkdir -p "$E2E_TMP/node$n/home"
    NODE_SMTP[$n]=$(free_port)
    NODE_ADMIN[$n]=$(free_port)
    node_config "$n" "$2" "$3" "${4:-}" > "$E2E_TMP/node$n/relay.conf"
  done
}
start_nodes() {
  local n
  for n in $1; do
    : >> "$E2E_TMP/node$n/relay.out"
    local before; before=$(grep -c 'Relay ready' "$E2E_TMP/node$n/relay.out" || true)
    start_node "$n"
    wait_node "$n" "$before"
  done
}
stop_nodes() {
  local n
  for n in $1; do
    kill -TERM "${NODE_PID[$n]}" 2>/dev/null || true
    wait "${NODE_PID[$n]}" 2>/dev/null || true
  done
}

# --- HAProxy -------------------------------------------------------------------------------------
LB_PORT=$(free_port)
start_haproxy() {
  local n cfg=$E2E_TMP/haproxy.cfg
  {
    printf 'global\n  maxconn 500\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n'
    printf 'frontend smtp\n  bind 127.0.0.1:%s\n  default_backend relays\n' "$LB_PORT"
    printf 'backend relays\n  balance roundrobin\n  option httpchk\n  http-check send meth GET uri /readyz\n'
    for n in $1; do
      printf '  server relay-%s 127.0.0.1:%s send-proxy-v2 check port %s inter 500ms fall 1 rise 2\n' \
        "$n" "${NODE_SMTP[$n]}" "${NODE_ADMIN[$n]}"
    done
  } > "$cfg"
  haproxy -c -q -f "$cfg" || fail "haproxy rejected its configuration"
  haproxy -db -f "$cfg" >> "$E2E_TMP/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  e2e_track "$HAPROXY_PID"
  wait_port "$LB_PORT" 10
  sleep 2 # the health checks mark the servers up (as in proxy.sh)
}
stop_haproxy() { kill -TERM "$HAPROXY_PID" 2>/dev/null || true; wait "$HAPROXY_PID" 2>/dev/null || true; }

# all_acked_delivered ACK_FILE: every subject answered 250 is in delivered.log.
all_acked_delivered() {
  [ -z "$(sort -u "$1" | comm -23 - <(sort -u "$M365_DIR/delivered.log"))" ]
}

start_redis

# === 1. correctness: kill -9 a node, stop Redis, all under the limits ============================
start_m365 m365-paced 10 2
IDS='{ sender = "*@a.test", mailbox = "box-a@m365.test" }, { sender = "*@b.test", mailbox = "box-b@m365.test" }'
configure_nodes "1 2 3" "$IDS" "max-sessions = 3, messages-per-minute = 10, message-window = 2s"
RELAY_HOME="$E2E_TMP/node1/home" "$E2E_ROOT/bin/relay" check-config "$E2E_TMP/node1/relay.conf" \
  > "$E2E_TMP/check-config.log" 2>&1 || fail "check-config rejected node 1's configuration: $(cat "$E2E_TMP/check-config.log")"
start_nodes "1 2 3"
start_haproxy "1 2 3"
ACKS=$E2E_TMP/acks-paced
"$E2E_PYTHON" "$E2E_LIB/burst.py" "$LB_PORT" 150 12 "paced-$RUN_ID" "$ACKS" a.test b.test \
  > "$E2E_TMP/burst-paced.log" 2>&1 &
BURST_PID=$!
e2e_track "$BURST_PID"

wait_for 120 "30 messages at the fake Microsoft 365" delivered_at_least 30
kill -KILL "${NODE_PID[2]}"
wait "${NODE_PID[2]}" 2>/dev/null || true
e2e_log "killed node 2 (SIGKILL) with $(delivered) delivered"
sleep 3
before=$(grep -c 'Relay ready' "$E2E_TMP/node2/relay.out")
start_node 2
wait_node 2 "$before"
e2e_log "node 2 restarted on its spool"

wait_for 120 "70 messages at the fake Microsoft 365" delivered_at_least 70
stop_redis
at_stop=$(delivered)
e2e_log "Redis stopped with $at_stop delivered"
wait_for 10 "node 1's /readyz to say the cluster store is unreachable" \
  bash -c "curl -s http://127.0.0.1:${NODE_ADMIN[1]}/readyz | grep -q 'degraded cluster-store: cluster store 127.0.0.1:$REDIS_PORT unreachable'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${NODE_ADMIN[1]}/readyz")
[ "$code" = 200 ] || fail "/readyz answered $code while Redis was down; a degraded node stays ready"
# Waited for as well: a call whose reply came just before Redis went can record its success after
# another call's failure, and then the next failing call (the heartbeat, within seconds) settles it.
wait_for 10 "relay_cluster_store_up to be 0 while Redis is down" \
  bash -c "curl -s http://127.0.0.1:${NODE_ADMIN[1]}/metrics | grep -q '^relay_cluster_store_up 0'"
# Mail is still accepted while Redis is down: 10 more messages through HAProxy, each must get a 250.
"$E2E_PYTHON" "$E2E_LIB/burst.py" "$LB_PORT" 10 4 "outage-$RUN_ID" "$ACKS" a.test b.test \
  > "$E2E_TMP/burst-outage.log" 2>&1 || fail "mail was refused while Redis was down: $(cat "$E2E_TMP/burst-outage.log")"
sleep 3
during=$(( $(delivered) - at_stop ))
# What was granted just before the stop may still finish: at most the sessions of both mailboxes.
[ "$during" -le 6 ] || fail "$during messages were delivered while Redis was down"
e2e_log "Redis down: 10 more messages accepted, $during delivered meanwhile (attempts granted before the stop)"
start_redis
e2e_log "Redis started again"

wait "$BURST_PID" || fail "the burst could not get every message accepted: $(cat "$E2E_TMP/burst-paced.log")"
wait_for 240 "every accepted message at the fake Microsoft 365" all_acked_delivered "$ACKS"
acked=$(sort -u "$ACKS" | wc -l)
total=$(delivered)
unique=$(sort -u "$M365_DIR/delivered.log" | wc -l)
breaches=$(state breach_count)
[ "$breaches" -eq 0 ] || fail "the fake Microsoft 365 saw limits exceeded: $(state breaches)"
e2e_log "paced burst: $acked accepted, $unique delivered ($((total - unique)) duplicate(s)); most sessions $(state most_sessions), most messages per 2 s $(state most_in_window); no breach"
[ "$acked" -eq 160 ] || fail "only $acked of 160 messages were accepted"
RELAY_LOG1=$E2E_TMP/node1/home/logs/relay.log
outage_lines=$(grep -c 'cluster store .* unreachable' "$RELAY_LOG1" || true)
back_lines=$(grep -c 'cluster store .* reachable again' "$RELAY_LOG1" || true)
[ "$outage_lines" -eq 1 ] && [ "$back_lines" -eq 1 ] \
  || fail "node 1's relay.log should say once that the store was unreachable and once that it is back: $outage_lines and $back_lines lines"

# The cluster's views, asked of node 1 with the token every node has: each node's queue (the
# members come from Redis), and message trace over all three nodes' tracking logs.
cluster_cli() { RELAY_HOME="$E2E_TMP/node1/home" "$E2E_ROOT/bin/relay" "$@" --config "$E2E_TMP/node1/relay.conf" --token-file "$E2E_TMP/ops.token"; }
summary=$(cluster_cli queue summary --cluster 2>&1) || fail "relay queue summary --cluster failed: $summary"
echo "$summary" | grep -q "0 message(s) queued on 3 of 3 node(s)" || fail "the cluster summary does not show 3 nodes with empty queues: $summary"
# Asked again for a few seconds: the tracking logs are written behind delivery, not with it. Node 2
# was killed outright, so the lines its writer still held then are gone (docs/configuration.md,
# "Tracking log"): the deliveries of its last moments, a few at most, may be missing (seen: 2).
KILL_LOSS=5
for attempt in 1 2 3 4 5 6; do
  cluster_cli trace --cluster --status delivered --since 1h --limit 1000 --json > "$E2E_TMP/trace-cluster.json" 2> "$E2E_TMP/trace-cluster.err" \
    || fail "relay trace --cluster failed: $(cat "$E2E_TMP/trace-cluster.err")"
  traced=$(grep -c '"event":"delivered"' "$E2E_TMP/trace-cluster.json" || true)
  traced_nodes=$(grep -o '"node":"relay-[0-9]"' "$E2E_TMP/trace-cluster.json" | sort -u | wc -l)
  [ "$traced" -lt 160 ] || [ "$traced_nodes" -ne 3 ] || break
  sleep 2
done
[ "$traced" -ge $((160 - KILL_LOSS)) ] && [ "$traced_nodes" -eq 3 ] \
  || fail "relay trace --cluster found $traced delivered events on $traced_nodes node(s); expected $((160 - KILL_LOSS)) or more (160 delivered, less what the killed node had not written) on 3"
e2e_log "cluster views: summary on 3 of 3 nodes; trace found $traced delivered events on $traced_nodes nodes"

stop_haproxy
stop_nodes "1 2 3"
kill -TERM "$M365_PID" 2>/dev/null || true

# === 2. throughput of 1, 2 and 3 nodes ==============================================================
start_m365 m365-fast 1000000 1
IDS=""
DOMAINS=()
for d in a b c d e f g h; do
  IDS="$IDS${IDS:+, }{ sender = \"*@$d.test\", mailbox = \"box-$d@m365.test\" }"
  DOMAINS+=("$d.test")
done
RESULTS=""
for nodes in "single" "1" "1 2" "1 2 3"; do
  if [ "$nodes" = single ]; then
    # The baseline: one relay without a cluster section (sessions kept open between messages).
    configure_nodes "1" "$IDS" "max-sessions = 3, messages-per-minute = 1000000" "#"
    nodes=1
    label="1 node without cluster"
  else
    configure_nodes "1 2 3" "$IDS" "max-sessions = 3, messages-per-minute = 1000000"
    label="$(echo "$nodes" | wc -w) node(s) in a cluster"
  fi
  start_nodes "$nodes"
  start_haproxy "$nodes"
  base=$(delivered)
  start=$(date +%s.%N)
  "$E2E_PYTHON" "$E2E_LIB/burst.py" "$LB_PORT" 400 16 "fast-${label// /-}-$RUN_ID" "$E2E_TMP/acks-fast" \
    "${DOMAINS[@]}" > "$E2E_TMP/burst-fast.log" 2>&1 || fail "throughput burst failed: $(cat "$E2E_TMP/burst-fast.log")"
  accepted=$(date +%s.%N)
  wait_for 300 "400 messages delivered with $(echo "$nodes" | wc -w) node(s)" delivered_at_least $((base + 400))
  done_at=$(date +%s.%N)
  line=$(awk -v n="$label" -v s="$start" -v a="$accepted" -v d="$done_at" \
    'BEGIN { printf "%s: 400 messages accepted in %.1f s (%.0f/s), delivered in %.1f s (%.0f/s)", n, a - s, 400 / (a - s), d - s, 400 / (d - s) }')
  e2e_log "$line"
  RESULTS="$RESULTS; $line"
  [ "$(state breach_count)" -eq 0 ] || fail "limits exceeded during the throughput run: $(state breaches)"
  stop_haproxy
  stop_nodes "$nodes"
done
echo "cluster: PASS — 3 nodes behind HAProxy (PROXY v2) sharing limits in Redis: 150 messages from 74 senders (and 10 more during the Redis stop), node 2 killed (SIGKILL) and restarted, Redis stopped: every accepted message delivered, never more than 3 sessions or 10 messages per 2 s per mailbox; throughput${RESULTS#;}"
