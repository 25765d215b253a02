#!/usr/bin/env bash
# Two Relay builds (or one build with two sets of JVM options) compared in pairs of short runs: both
# relays start and warm up side by side, then timed smtp-source runs alternate between them (old
# new, new old, old new, ...), so that a slow minute of a shared machine falls on both alike. Each run
# reports the accepted rate and the relay JVM's CPU per message (user + system from
# /proc/PID/stat, read after its deliveries finished); the summary gives each build's medians and
# the median of the per-pair ratios new/old, the figure to trust when the difference is a few
# percent and single runs scatter by ±10 %.
#
# Usage: bench/ab-builds.sh [-n PAIRS] [-m MESSAGES] [-s SESSIONS] [-w WARMUP] OLD_TREE [NEW_TREE]
#   defaults: -n 8 -m 5000 -s 20 -w 20000; NEW_TREE defaults to this checkout
#   a tree is a checkout with relay-server built (./mvnw -o package -DskipTests -pl relay-server -am)
#   OLD_OPTS / NEW_OPTS: extra JVM options for either side (RELAY_JAVA_OPTS); with one tree given
#   twice this compares options: OLD_OPTS=-Dx=1 bench/ab-builds.sh . .
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
. "$(dirname "$0")/lib/sink.sh"

PAIRS=8 MESSAGES=5000 SESSIONS=20 WARMUP=20000
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "n:m:s:w:h" opt; do
  case $opt in
    n) PAIRS=$OPTARG ;; m) MESSAGES=$OPTARG ;; s) SESSIONS=$OPTARG ;; w) WARMUP=$OPTARG ;; *) usage ;;
  esac
done
e2e_init ab "${BENCH_TIME_LIMIT:-3600}" "$@"
trap 'e2e_cleanup $?' EXIT
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
OLD_TREE=$(cd "$1" && pwd)
NEW_TREE=$(cd "${2:-$E2E_ROOT}" && pwd)

start_sink

declare -A TREE=([old]=$OLD_TREE [new]=$NEW_TREE) OPTS=([old]=${OLD_OPTS:-} [new]=${NEW_OPTS:-}) PORT PID
for side in old new; do
  [ -x "${TREE[$side]}/bin/relay" ] || fail "no bin/relay in ${TREE[$side]}"
  PORT[$side]=$(free_port)
  # Each relay its own configuration directory (it watches it) and home.
  mkdir -p "$E2E_TMP/$side/conf" "$E2E_TMP/$side/home"
  relay_config "${PORT[$side]}" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)" > "$E2E_TMP/$side/conf/relay.conf"
  RELAY_JAVA_OPTS="${OPTS[$side]}" RELAY_HOME="$E2E_TMP/$side/home" \
    "${TREE[$side]}/bin/relay" --config "$E2E_TMP/$side/conf/relay.conf" > "$E2E_TMP/$side/relay.log" 2>&1 &
  PID[$side]=$!
  e2e_track "${PID[$side]}"
  wait_port "${PORT[$side]}" 120
  e2e_log "$side: ${TREE[$side]} ($(git -C "${TREE[$side]}" log -1 --format=%h 2> /dev/null || echo '?'))${OPTS[$side]:+ with ${OPTS[$side]}}"
done
for side in old new; do
  smtp-source -s 20 -l 4096 -m "$WARMUP" "127.0.0.1:${PORT[$side]}"
done
sleep 3

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_hz=$(getconf CLK_TCK)
RESULTS=$E2E_TMP/pairs
for pair in $(seq "$PAIRS"); do
  # Old first in odd pairs, new first in even ones: neither side always runs second.
  order="old new"
  [ $((pair % 2)) = 1 ] || order="new old"
  for side in $order; do
    sync # the previous run's dirty pages are written back now, not during this run
    c1=$(cpu_ticks "${PID[$side]}")
    t0=$(date +%s.%N)
    smtp-source -s "$SESSIONS" -l 4096 -m "$MESSAGES" "127.0.0.1:${PORT[$side]}"
    t1=$(date +%s.%N)
    sleep 2 # the run's deliveries finish before the CPU time is read
    c2=$(cpu_ticks "${PID[$side]}")
    awk -v side="$side" -v pair="$pair" -v n="$MESSAGES" -v t="$(echo "$t1 - $t0" | bc)" -v c=$((c2 - c1)) -v hz="$tick_hz" \
      'BEGIN { printf "%s %d %.0f %.3f\n", side, pair, n / t, c * 1000 / hz / n }' | tee -a "$RESULTS"
  done
done

# Medians per side and of the per-pair ratios (new / old).
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  $1 == "old" { rate_old[$2] = $3; cpu_old[$2] = $4 }
  $1 == "new" { rate_new[$2] = $3; cpu_new[$2] = $4; n++ }
  END {
    for (i = 1; i <= n; i++) { ro[i] = rate_old[i]; rn[i] = rate_new[i]; co[i] = cpu_old[i]; cn[i] = cpu_new[i]
      rr[i] = rate_new[i] / rate_old[i]; cr[i] = cpu_new[i] / cpu_old[i] }
    printf "old: accepted %.0f/s, CPU %.3f ms per message (medians of %d runs)\n", median(ro, n), median(co, n), n
    printf "new: accepted %.0f/s, CPU %.3f ms per message\n", median(rn, n), median(cn, n)
    printf "new/old, median of the pairs: accepted %.3f, CPU per message %.3f\n", median(rr, n), median(cr, n)
  }' "$RESULTS"
