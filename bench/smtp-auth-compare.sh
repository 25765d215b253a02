#!/usr/bin/env bash
# What submission costs: Relay delivering through an smtp-auth connector (STARTTLS verified, AUTH
# XOAUTH2 with a token from an HTTPS token endpoint, sessions reused, no pacing limits) against the
# same Relay through a plain smart-host connector (tls = none), both to the same kind of local
# upstream (bench/lib/fake_upstream.py, aiosmtpd) in one run; and (c) the same Relay through a graph
# connector (Microsoft Graph sendMail, app-only token, no pacing limits) to the same script's HTTPS
# Graph stand-in. Method and figures: docs/benchmark.md.
#
# Usage: bench/smtp-auth-compare.sh [-m MESSAGES] [-1 MESSAGES_ONE_SESSION] [-r REPETITIONS]
#                                   [-w WARMUP] [-l LENGTH]
#   defaults: -m 5000 -1 1000 -r 3 -w 300 -l 4096
#   quick smoke run: bench/smtp-auth-compare.sh -m 500 -1 100 -r 1 -w 50
# Needs Postfix's smtp-source (the driver), openssl and /usr/bin/python3 with aiosmtpd.
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
BENCH_LIB=$(cd "$(dirname "$0")/lib" && pwd)

MESSAGES=5000 MESSAGES_ONE=1000 REPS=3 WARMUP=300 LENGTH=4096
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "m:1:r:w:l:h" opt; do
  case $opt in
    m) MESSAGES=$OPTARG ;; 1) MESSAGES_ONE=$OPTARG ;; r) REPS=$OPTARG ;; w) WARMUP=$OPTARG ;;
    l) LENGTH=$OPTARG ;; *) usage ;;
  esac
done
e2e_init bench "${BENCH_TIME_LIMIT:-3600}" "$@"
RESULTS=$E2E_TMP/results.jsonl
trap 'e2e_cleanup $?' EXIT

# measure LABEL PORT SESSIONS MESSAGES COUNTER [--out FILE]: one timed smtp-source run.
measure() {
  "$E2E_PYTHON" "$BENCH_LIB/measure.py" run --label "$1" --port "$2" --sessions "$3" --messages "$4" \
    --length "$LENGTH" --counter "$5" "${@:6}" || fail "measurement '$1' failed"
}

# cpu_seconds PID: CPU time (user + system) the process has used so far, in seconds.
cpu_seconds() {
  ps -o cputime= -p "$1" | awk -F'[:-]' '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

# bench_target NAME PORT COUNTER: warm-up, then the repetitions with 20 sessions and with one; then
# the CPU seconds Relay and the upstream stand-in used for them (which side a rate is bound by).
bench_target() {
  local name=$1 port=$2 counter=$3 i relay_cpu upstream_cpu
  measure "$name warm-up" "$port" 20 "$WARMUP" "$counter" > /dev/null
  relay_cpu=$(cpu_seconds "$RELAY_PID") upstream_cpu=$(cpu_seconds "$UPSTREAM_PID")
  for i in $(seq "$REPS"); do measure "$name s20" "$port" 20 "$MESSAGES" "$counter" --out "$RESULTS"; done
  for i in $(seq "$REPS"); do measure "$name s1" "$port" 1 "$MESSAGES_ONE" "$counter" --out "$RESULTS"; done
  echo "  $name CPU seconds for the measured runs: relay $(( $(cpu_seconds "$RELAY_PID") - relay_cpu ))," \
    "upstream stand-in $(( $(cpu_seconds "$UPSTREAM_PID") - upstream_cpu ))"
}

# start_upstream COUNTER [fake_upstream.py TLS options...]: sets UPSTREAM_PORT.
start_upstream() {
  local counter=$1
  shift
  UPSTREAM_PORT=$(free_port)
  "$E2E_PYTHON" "$BENCH_LIB/fake_upstream.py" --port "$UPSTREAM_PORT" --counter "$counter" "$@" \
    > "$counter.log" 2>&1 &
  UPSTREAM_PID=$!
  e2e_track $!
  wait_port "$UPSTREAM_PORT" 10
}

echo "bench: $(nproc) CPUs, $(uname -r), temp dir $E2E_TMP, $MESSAGES msgs x $REPS with 20 sessions," \
  "$MESSAGES_ONE x $REPS with 1, $LENGTH-byte bodies"
ensure_relay_built
make_test_ca "$E2E_TMP/pki"
TOKEN="bench-token-$RANDOM$RANDOM"
export BENCH_M365_SECRET="bench-secret-$RANDOM"

echo "(a) Relay, smart-host connector (tls = none, max-connections = 20) to the plain upstream"
start_upstream "$E2E_TMP/plain.counter"
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$UPSTREAM_PORT" none)")" \
  "$E2E_TMP/home-plain"
bench_target smart-host "$RELAY_SMTP_PORT" "$E2E_TMP/plain.counter"
stop_relay

echo "(b) Relay, smtp-auth connector (STARTTLS verified, XOAUTH2, 20 sessions, no pacing) to the TLS upstream"
TOKEN_PORT=$(free_port)
start_upstream "$E2E_TMP/auth.counter" --cert "$E2E_TMP/pki/server.pem" --key "$E2E_TMP/pki/server.key" \
  --token "$TOKEN" --token-port "$TOKEN_PORT"
wait_port "$TOKEN_PORT" 10
CA=$E2E_TMP/pki/ca.pem
connector="{ name = \"m365\", type = smtp-auth, host = \"localhost\", port = $UPSTREAM_PORT, ca-file = \"$CA\"
  oauth { authority = \"https://127.0.0.1:$TOKEN_PORT\", tenant = \"bench\", client-id = \"bench-app\"
          client-secret = \"env:BENCH_M365_SECRET\", ca-file = \"$CA\" }
  identities = [ { sender = \"*\", mailbox = \"bench@contoso.test\" } ]
  pacing { max-sessions = 20, messages-per-minute = 1000000, recipients-per-day = 100000000 }
  recipient-domains = [\"*\"] }"
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$connector")" "$E2E_TMP/home-auth"
bench_target smtp-auth "$RELAY_SMTP_PORT" "$E2E_TMP/auth.counter"
stop_relay

echo "(c) Relay, graph connector (HTTPS sendMail, app-only token, 20 requests at once, no pacing) to the Graph stand-in"
TOKEN_PORT=$(free_port) GRAPH_PORT=$(free_port)
start_upstream "$E2E_TMP/graph.counter" --cert "$E2E_TMP/pki/server.pem" --key "$E2E_TMP/pki/server.key" \
  --token "$TOKEN" --token-port "$TOKEN_PORT" --graph-port "$GRAPH_PORT"
wait_port "$TOKEN_PORT" 10
wait_port "$GRAPH_PORT" 10
connector="{ name = \"graph\", type = graph, graph-url = \"https://localhost:$GRAPH_PORT\", ca-file = \"$CA\"
  oauth { authority = \"https://127.0.0.1:$TOKEN_PORT\", tenant = \"bench\", client-id = \"bench-app\"
          client-secret = \"env:BENCH_M365_SECRET\", ca-file = \"$CA\" }
  identities = [ { sender = \"*\", mailbox = \"bench@contoso.test\" } ]
  pacing { max-sessions = 20, messages-per-minute = 1000000, recipients-per-day = 100000000 }
  recipient-domains = [\"*\"] }"
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$connector")" "$E2E_TMP/home-graph"
bench_target graph "$RELAY_SMTP_PORT" "$E2E_TMP/graph.counter"
stop_relay

echo "== summary (rates in msgs/s; accepted = until the driver's last 250, delivered = until the upstream saw the last message)"
"$E2E_PYTHON" "$BENCH_LIB/measure.py" summary "$RESULTS"
"$E2E_PYTHON" - "$RESULTS" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
for s in ("s20", "s1"):
    rate = {t: statistics.median(r["delivered_rate"] for r in runs if r["label"] == f"{t} {s}")
            for t in ("smart-host", "smtp-auth", "graph")}
    print(f"cost of smtp-auth {s}: smart-host/smtp-auth delivered = {rate['smart-host'] / rate['smtp-auth']:.2f}x")
    print(f"graph against smtp-auth {s}: graph {rate['graph']:.0f}/s, smtp-auth {rate['smtp-auth']:.0f}/s, "
          f"graph/smtp-auth delivered = {rate['graph'] / rate['smtp-auth']:.2f}x")
PY
echo "bench: done"
