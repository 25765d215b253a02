#!/usr/bin/env bash
# Relay's throughput beside Postfix's, measured side by side on this machine by the method in
# docs/benchmark.md (after /work/shared/design/BENCHMARK.md): smtp-source drives, smtp-sink counts
# upstream; (a) the ceiling, smtp-source straight into smtp-sink; (b) a throw-away Postfix instance
# relaying to the sink; (c) Relay with a smart-host connector (tls = none, 20 connections) to it.
#
# Usage: bench/postfix-compare.sh [-m MESSAGES] [-1 MESSAGES_ONE_SESSION] [-r REPETITIONS]
#                                 [-w WARMUP] [-t ceiling,postfix,relay] [-l LENGTH]
#   defaults: -m 20000 -1 2000 -r 3 -w 500 -l 4096, all three targets
#   quick smoke run (< 1 minute): bench/postfix-compare.sh -m 1000 -1 200 -r 1 -w 100
# Needs root for Postfix (its master) and for smtp-sink's -u. Postfix is always stopped at the end.
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
BENCH_LIB=$(cd "$(dirname "$0")/lib" && pwd)
. "$BENCH_LIB/postfix.sh"

MESSAGES=20000 MESSAGES_ONE=2000 REPS=3 WARMUP=500 LENGTH=4096 TARGETS=ceiling,postfix,relay
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "m:1:r:w:t:l:h" opt; do
  case $opt in
    m) MESSAGES=$OPTARG ;; 1) MESSAGES_ONE=$OPTARG ;; r) REPS=$OPTARG ;; w) WARMUP=$OPTARG ;;
    t) TARGETS=$OPTARG ;; l) LENGTH=$OPTARG ;; *) usage ;;
  esac
done
e2e_init bench "${BENCH_TIME_LIMIT:-3600}" "$@"
RESULTS=$E2E_TMP/results.jsonl
POSTFIX_DIR=$E2E_TMP/postfix

bench_cleanup() {
  local rc=$?
  postfix_stop "$POSTFIX_DIR"
  e2e_cleanup "$rc"
}
trap bench_cleanup EXIT

# measure LABEL PORT SESSIONS MESSAGES [--out FILE]: one timed smtp-source run.
measure() {
  "$E2E_PYTHON" "$BENCH_LIB/measure.py" run --label "$1" --port "$2" --sessions "$3" --messages "$4" \
    --length "$LENGTH" --counter "$SINK_COUNTER" "${@:5}" || fail "measurement '$1' failed"
}

# bench_target NAME PORT: warm-up, then the repetitions with 20 sessions and with one session.
bench_target() {
  local name=$1 port=$2 i
  measure "$name warm-up" "$port" 20 "$WARMUP" > /dev/null # not recorded: JIT, caches, processes
  for i in $(seq "$REPS"); do measure "$name s20" "$port" 20 "$MESSAGES" --out "$RESULTS"; done
  for i in $(seq "$REPS"); do measure "$name s1" "$port" 1 "$MESSAGES_ONE" --out "$RESULTS"; done
}

echo "bench: $(nproc) CPUs, $(uname -r), temp dir $E2E_TMP on $(df -T "$E2E_TMP" | awk 'NR==2 {print $2}')," \
  "$MESSAGES msgs x $REPS with 20 sessions, $MESSAGES_ONE x $REPS with 1, $LENGTH-byte bodies"
[ "$(df -T "$E2E_TMP" | awk 'NR==2 {print $2}')" != tmpfs ] \
  || e2e_log "warning: $E2E_TMP is on tmpfs, where fsync costs nothing; set TMPDIR to a real disk"

# The upstream: smtp-sink counts every "." it receives in its -c output.
SINK_PORT=$(free_port)
SINK_COUNTER=$E2E_TMP/sink.counter
sink_user=()
[ "$(id -u)" != 0 ] || sink_user=(-u nobody) # smtp-sink refuses to run as root without -u
smtp-sink "${sink_user[@]}" -c "127.0.0.1:$SINK_PORT" 1000 > "$SINK_COUNTER" 2> "$E2E_TMP/sink.err" &
e2e_track $!
wait_port "$SINK_PORT" 10

IFS=, read -r -a targets <<< "$TARGETS"
for target in "${targets[@]}"; do
  # Each target starts on a quiet disk: the previous one's queue files (tens of thousands written and
  # deleted) are still being written back for a few seconds, which would be charged to the next.
  sync
  sleep 3
  case $target in
    ceiling)
      echo "(a) ceiling: smtp-source straight into smtp-sink"
      bench_target ceiling "$SINK_PORT"
      ;;
    postfix)
      [ "$(id -u)" = 0 ] || fail "the Postfix part needs root (run with -t ceiling,relay otherwise)"
      echo "(b) Postfix $(postconf -h mail_version) relaying to smtp-sink"
      port=$(free_port)
      postfix_setup "$POSTFIX_DIR" "$port" "$SINK_PORT"
      postfix_start "$POSTFIX_DIR" || fail "Postfix did not start (see $POSTFIX_DIR/maillog)"
      wait_port "$port" 30
      bench_target postfix "$port"
      postfix_stop "$POSTFIX_DIR"
      ;;
    relay)
      echo "(c) Relay relaying to smtp-sink (smart host, tls = none, max-connections = 20)"
      ensure_relay_built
      RELAY_SMTP_PORT=$(free_port)
      start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")"
      bench_target relay "$RELAY_SMTP_PORT"
      RELAY_PEAK_RSS=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$RELAY_PID/status")
      stop_relay
      ;;
    *) fail "unknown target '$target' (ceiling, postfix, relay)" ;;
  esac
done

echo "== summary (rates in msgs/s; accepted = until the driver's last 250, delivered = until the sink saw the last message)"
"$E2E_PYTHON" "$BENCH_LIB/measure.py" summary "$RESULTS"
[ -z "${RELAY_PEAK_RSS:-}" ] || echo "Relay peak RSS (VmHWM): $RELAY_PEAK_RSS"
echo "bench: done ($TARGETS)"
