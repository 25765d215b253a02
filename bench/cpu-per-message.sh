#!/usr/bin/env bash
# Relay's CPU time per relayed message once warm: a smart-host connector (tls = none, 20
# connections) to smtp-sink, smtp-source with 20 sessions and 4 KiB bodies; after a warm-up, each
# timed run reports the accepted rate and the relay JVM's user and system CPU (from
# /proc/PID/stat) and its threads' context switches, divided by the messages. The method behind the "CPU per message" tables in
# docs/benchmark.md; compare builds run back to back, the absolute figures drift with the machine.
#
# Usage: bench/cpu-per-message.sh [-w WARMUP] [-m MESSAGES] [-r RUNS]   (defaults 25000, 8000, 3)
# Extra JVM options for an experiment: RELAY_JAVA_OPTS="-D..." bench/cpu-per-message.sh
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
. "$(dirname "$0")/lib/sink.sh"

WARMUP=25000 MESSAGES=8000 RUNS=3
while getopts "w:m:r:h" opt; do
  case $opt in
    w) WARMUP=$OPTARG ;; m) MESSAGES=$OPTARG ;; r) RUNS=$OPTARG ;; *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
e2e_init cpu "${BENCH_TIME_LIMIT:-1800}" "$@"
trap 'e2e_cleanup $?' EXIT

start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")"

cpu_ticks() { awk '{print $14, $15}' "/proc/$RELAY_PID/stat"; }
# Context switches of the relay's threads alive now (a thread that ended takes its count along).
switches() { cat /proc/"$RELAY_PID"/task/*/status 2> /dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
tick_hz=$(getconf CLK_TCK)
echo "warm-up: $WARMUP messages"
smtp-source -s 20 -l 4096 -m "$WARMUP" "127.0.0.1:$RELAY_SMTP_PORT"
sleep 3
for run in $(seq "$RUNS"); do
  read -r u1 s1 < <(cpu_ticks)
  c1=$(switches)
  t0=$(date +%s.%N)
  smtp-source -s 20 -l 4096 -m "$MESSAGES" "127.0.0.1:$RELAY_SMTP_PORT"
  t1=$(date +%s.%N)
  sleep 3 # let the deliveries of this run finish before reading the CPU time
  read -r u2 s2 < <(cpu_ticks)
  c2=$(switches)
  awk -v n="$MESSAGES" -v t="$(echo "$t1 - $t0" | bc)" -v u=$((u2 - u1)) -v s=$((s2 - s1)) -v hz="$tick_hz" -v r="$run" -v c=$((c2 - c1)) \
    'BEGIN { printf "run %d: %6.0f accepted/s; CPU per message %.2f ms (user %.2f, system %.2f); %.1f context switches\n", r, n / t, (u + s) * 1000 / hz / n, u * 1000 / hz / n, s * 1000 / hz / n, c / n }'
done
echo "peak RSS: $(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$RELAY_PID/status")"
stop_relay
