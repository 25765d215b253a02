#!/usr/bin/env bash
# relay trace on a large tracking log: writes N realistic tracking lines (default 1,000,000, about
# 430 MB uncompressed) spread over the last 40 hours as Relay's own files hold them (a whole rolled
# day and size-rolled parts, gzip-compressed, and the live tracking.log; bench/lib/tracking_lines.py),
# then times `relay trace` finding the one message sent to needle.user@fabrikam.com: by queue id
# (--id, the whole 48 h window), by recipient (--to) and the queue id's timeline. Each is run R
# times; per run it prints the search's own time (TrackingSearch, from --stats) and the command's
# wall-clock time (JVM start included). The method behind docs/benchmark.md, "Message trace".
#
# Usage: bench/trace-search.sh [-n LINES] [-r RUNS] [-k DIR]
#   -k DIR  keep (or reuse, when it has the files) the generated log directory DIR
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
BENCH_LIB=$(cd "$(dirname "$0")/lib" && pwd)

LINES=1000000 RUNS=5 KEEP_DIR=""
while getopts "n:r:k:h" opt; do
  case $opt in
    n) LINES=$OPTARG ;; r) RUNS=$OPTARG ;; k) KEEP_DIR=$OPTARG ;; *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
e2e_init trace "${BENCH_TIME_LIMIT:-1800}" "$@"
trap 'e2e_cleanup $?' EXIT
ensure_relay_built

LOGS=${KEEP_DIR:-$E2E_TMP/logs}
if [ -n "$KEEP_DIR" ] && [ -f "$KEEP_DIR/needle.json" ]; then
  echo "reusing $KEEP_DIR"
else
  mkdir -p "$LOGS"
  echo "writing $LINES tracking lines to $LOGS ..."
  python3 "$BENCH_LIB/tracking_lines.py" "$LOGS" -n "$LINES" > "$LOGS/needle.json"
fi
read -r QUEUE_ID RECIPIENT < <(python3 -c 'import json,sys; n=json.load(open(sys.argv[1])); print(n["queue_id"], n["recipient"])' "$LOGS/needle.json")
ls -l "$LOGS"/tracking* | awk '{ printf "  %-34s %12d octets\n", $NF, $5 }' | sed "s|$LOGS/||"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# One run: the search's own time (from --stats) and the wall-clock time of the whole command.
timed() {
  local label=$1 start end stats
  shift
  start=$(date +%s%N)
  stats=$("$E2E_ROOT/bin/relay" trace --log-dir "$LOGS" --stats "$@" 2>&1 >/dev/null | grep '^relay trace:' || true)
  end=$(date +%s%N)
  echo "$label: wall $(( (end - start) / 1000000 )) ms; ${stats#relay trace: }"
}

"$E2E_ROOT/bin/relay" trace --log-dir "$LOGS" --id "$QUEUE_ID" > /dev/null 2>&1 || true # warm the page cache and CDS archive
for run in $(seq "$RUNS"); do
  echo "run $run"
  timed "  by queue id  " --id "$QUEUE_ID"
  timed "  by recipient " --to "$RECIPIENT"
  timed "  timeline     " "$QUEUE_ID"
done
