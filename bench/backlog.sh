#!/usr/bin/env bash
# "Hold a million": Relay and Postfix, one after the other in one run, each queue N messages while
# their upstream is down, are restarted with the full queue, and deliver it all once the upstream
# is back. Per relay: the accept rate in the first and the last tenth of the N messages, peak
# memory, stop and restart-to-220 times with the full queue, the drain rate once the upstream is
# back, the time until the queue is empty, and lost messages (smtp-sink's count against N).
#
# Usage: bench/backlog.sh [-n MESSAGES] [-t relay|postfix|both] [-w WARMUP] [-d DOWN_RETRY] [-o DIR]
#   -n  messages to queue per relay (default 500000; about 40 minutes per relay on 2 cores)
#   -t  which relay(s) (default both: Postfix first, then Relay)
#   -w  extra messages sent before the timed ones, queued too (default 0)
#   -d  retry delay while the upstream is down, both relays (default 2h: longer than the run, so
#       nothing is retried before the upstream is back)
#   -o  results directory (default var/bench-results/backlog-<date>-<time>)
#   smoke run (a few minutes): bench/backlog.sh -n 5000
# Needs root (Postfix's master, smtp-sink -u nobody). Queues live in the run's temp dir under
# ${TMPDIR:-/tmp}, which must be a real disk (not tmpfs); E2E_KEEP=1 keeps it. The method and the
# meaning of every figure: docs/benchmark.md, section "Backlog".
set -euo pipefail
. "$(dirname "$0")/../test/e2e/lib/lib.sh"
BENCH_LIB=$(cd "$(dirname "$0")/lib" && pwd)
. "$BENCH_LIB/postfix.sh"

MESSAGES=500000 TARGET=both WARMUP=0 DOWN_RETRY=2h RESULTS_DIR=""
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "n:t:w:d:o:h" opt; do
  case $opt in
    n) MESSAGES=$OPTARG ;; t) TARGET=$OPTARG ;; w) WARMUP=$OPTARG ;; d) DOWN_RETRY=$OPTARG ;;
    o) RESULTS_DIR=$OPTARG ;; *) usage ;;
  esac
done
[[ $MESSAGES =~ ^[0-9]+$ && $MESSAGES -ge 10 ]] || { echo "-n: at least 10 messages" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "-w: a number of messages" >&2; exit 2; }
[[ $DOWN_RETRY =~ ^[0-9]+[smh]$ ]] || { echo "-d: a duration such as 2h, 90m or 600s" >&2; exit 2; }
case $TARGET in
  both) TARGETS=(postfix relay) ;; relay | postfix) TARGETS=("$TARGET") ;; *) usage ;;
esac
e2e_init backlog "${BENCH_TIME_LIMIT:-21600}" "$@"

TOTAL=$((MESSAGES + WARMUP))
# How long the drain may go without the sink counting a message before it is given up (lost mail).
STALL=${BACKLOG_STALL:-300}
RESULTS_DIR=${RESULTS_DIR:-$E2E_ROOT/var/bench-results/backlog-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
RESULTS=$RESULTS_DIR/results.jsonl
PHASE_FILE=$E2E_TMP/phase
POSTFIX_DIR=$E2E_TMP/postfix
exec > >(tee -a "$RESULTS_DIR/console.log") 2>&1

bench_cleanup() {
  local rc=$?
  postfix_stop "$POSTFIX_DIR"
  echo "[backlog] results in $RESULTS_DIR" >&2
  e2e_cleanup "$rc"
}
trap bench_cleanup EXIT

backlog() { "$E2E_PYTHON" "$BENCH_LIB/backlog.py" "$@"; }
put() { backlog put --target "$1" --results "$RESULTS" "$2" "$3"; }
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
phase() { echo "$1" > "$PHASE_FILE"; }
vmhwm_kb() { # 0 once the process has gone (a zombie's status has no VmHWM either)
  local kb
  kb=$(awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
  echo "${kb:-0}"
}

for tool in smtp-source smtp-sink postconf; do
  command -v "$tool" > /dev/null || fail "$tool is missing (apt-get install postfix)"
done
fs=$(df -T "$E2E_TMP" | awk 'NR==2 {print $2}')
[ "$fs" != tmpfs ] || fail "$E2E_TMP is on tmpfs: the queues must be on a disk; set TMPDIR to a directory on one"
# Measured in the smoke runs, per queued 4 KiB message: Relay 12 KiB of spool (message and state
# file) and 4 KiB of logs, Postfix 12 KiB of queue and 1 KiB of maillog. One relay's data at a time.
need_kb=$((TOTAL * 20 + 1024 * 1024))
avail_kb=$(df -Pk "$E2E_TMP" | awk 'NR==2 {print $4}')
[ "$avail_kb" -ge "$need_kb" ] || fail "$E2E_TMP has $((avail_kb / 1024)) MiB free; $TOTAL messages need about $((need_kb / 1024)) MiB"
sink_user=()
[ "$(id -u)" != 0 ] || sink_user=(-u nobody) # smtp-sink refuses to run as root without -u

{
  echo "backlog: $(date -Is), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
  echo "  queues in $E2E_TMP ($fs, $((avail_kb / 1024 / 1024)) GiB free); $MESSAGES messages of 4 KiB" \
    "(+ $WARMUP warm-up) per relay, smtp-source -s 20; retry delay while down: $DOWN_RETRY"
  echo "  Relay $(git -C "$E2E_ROOT" rev-parse --short HEAD)$(git -C "$E2E_ROOT" diff --quiet HEAD -- . 2>/dev/null || echo '+changes')," \
    "JVM options: bin/relay's defaults${RELAY_JAVA_DEFAULT_OPTS+ REPLACED by '$RELAY_JAVA_DEFAULT_OPTS'}${RELAY_JAVA_OPTS:+ + '$RELAY_JAVA_OPTS'};" \
    "Postfix $(postconf -h mail_version 2>/dev/null || echo '?')"
} | tee "$RESULTS_DIR/meta.txt"

# ---- shared steps

start_sampler() { # TARGET PIDFILE: peak memory of the process in PIDFILE and its children, each second
  # Not through backlog(): $! must be the sampler itself, not a subshell that would outlive a TERM.
  "$E2E_PYTHON" "$BENCH_LIB/backlog.py" sample --pidfile "$2" --out "$RESULTS_DIR/$1-memory.csv" \
    --phase-file "$PHASE_FILE" &
  SAMPLER_PID=$!
  e2e_track "$SAMPLER_PID"
}

stop_sampler() {
  kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
}

# start_sink PORT COUNTER: the upstream comes back; smtp-sink -c writes its running count to COUNTER.
start_sink() {
  smtp-sink "${sink_user[@]}" -c "127.0.0.1:$1" 1000 > "$2" 2> "$2.err" &
  SINK_PID=$!
  e2e_track "$SINK_PID"
  wait_port "$1" 10
}

stop_sink() { kill -TERM "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }

# accept TARGET PORT PIDFILE: the N messages in ten timed slices (upstream down).
accept() {
  backlog accept --port "$2" --messages "$MESSAGES" --warmup "$WARMUP" --pidfile "$3" \
    --target "$1" --results "$RESULTS"
}

# drain TARGET SINCE QUEUE_DIR...: waits for the sink to count every message and the queue to empty.
drain() {
  local target=$1 t0=$2
  shift 2
  local dirs=()
  for d in "$@"; do dirs+=(--dir "$d"); done
  backlog drain --counter "$E2E_TMP/$target-sink.counter" --expect "$TOTAL" --since "$t0" "${dirs[@]}" \
    --stall "$STALL" --target "$target" --results "$RESULTS"
}

# ---- Relay

relay_config_text() { # SMTP_PORT ADMIN_PORT UPSTREAM_PORT RETRY_DELAY
  cat <<EOF
# Written by bench/backlog.sh. The smart host is 127.0.0.1:$3, where nothing listens until the
# drain phase. Retry: every $4 (no doubling), 7 days' lifetime so that nothing expires in the run.
relay {
  home = \${?RELAY_HOME}
  hostname = "relay.bench.test"
  listeners = [ { name = "bench", address = "127.0.0.1", port = $1, starttls = false,
    inbound-connectors = [ { name = "loopback", client-networks = ["127.0.0.0/8"], relay = true } ] } ]
  outbound-connectors = [ { name = "upstream", type = smart-host, hosts = ["127.0.0.1"], port = $3,
    tls = none, max-connections = 20, recipient-domains = ["*"],
    retry { initial-delay = $4, max-delay = $4, max-lifetime = 7d } } ]
  admin { port = $2 }
}
EOF
}

relay_launch() { # starts bin/relay on $RELAY_CONF; LAUNCHED = the moment just before
  RELAY_RUN=$((RELAY_RUN + 1))
  RELAY_LOG=$RESULTS_DIR/relay-stdout-$RELAY_RUN.log
  LAUNCHED=$(now)
  RELAY_HOME="$RELAY_HOME_DIR" "$E2E_ROOT/bin/relay" --config "$RELAY_CONF" > "$RELAY_LOG" 2>&1 &
  RELAY_PID=$!
  echo "$RELAY_PID" > "$RELAY_PIDFILE"
  e2e_track "$RELAY_PID"
}

relay_banner() { backlog banner --port "$RELAY_SMTP_PORT" --since "$LAUNCHED" --timeout 600 --pid "$RELAY_PID"; }

relay_stop() { # SIGTERM, up to 120 s for a clean exit; prints the seconds it took
  local t0
  t0=$(now)
  kill -TERM "$RELAY_PID" 2>/dev/null || { echo 0; return; }
  for _ in $(seq 2400); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$RELAY_PID" 2>/dev/null; then
    kill -KILL "$RELAY_PID" 2>/dev/null || true
    echo "killed after 120"
  else
    since "$t0"
  fi
}

run_relay() {
  local t=relay upstream spool first stop_s restart_s t0 queued rc=0
  RELAY_SMTP_PORT=$(free_port)
  RELAY_ADMIN_PORT=$(free_port)
  upstream=$(backlog dead-port)
  RELAY_HOME_DIR=$E2E_TMP/relay-home
  RELAY_PIDFILE=$E2E_TMP/relay.pid
  RELAY_RUN=0
  RELAY_HWM_QUEUE=0
  SINK_PID=""
  spool=$RELAY_HOME_DIR/spool/queue
  mkdir -p "$RELAY_HOME_DIR" "$E2E_TMP/relay-conf"
  # A directory of its own: Relay watches its configuration's directory for changes.
  RELAY_CONF=$E2E_TMP/relay-conf/relay.conf
  relay_config_text "$RELAY_SMTP_PORT" "$RELAY_ADMIN_PORT" "$upstream" "$DOWN_RETRY" > "$RELAY_CONF"
  cp "$RELAY_CONF" "$RESULTS_DIR/relay-down.conf"
  ensure_relay_built
  RELAY_HOME="$RELAY_HOME_DIR" "$E2E_ROOT/bin/relay" check-config "$RELAY_CONF" > "$RESULTS_DIR/relay-check-config.txt" 2>&1 \
    || fail "bin/relay check-config rejected $RELAY_CONF: $(cat "$RESULTS_DIR/relay-check-config.txt")"

  echo "== Relay: $TOTAL messages with the smart host 127.0.0.1:$upstream down (connection refused)"
  phase start
  start_sampler relay "$RELAY_PIDFILE"
  relay_launch
  first=$(relay_banner) || fail "Relay did not answer 220 within 600 s of its start"
  put $t start_s "$first"
  echo "  started (empty queue): 220 after $first s"
  phase queue
  accept relay "$RELAY_SMTP_PORT" "$RELAY_PIDFILE" || { RELAY_HWM_QUEUE=$(vmhwm_kb "$RELAY_PID"); relay_finish; return 1; }
  # Before the restart, let the refused attempts end: nothing in flight. Relay pauses a connector
  # whose upstream refuses connections, so only the first few messages are tried while it is down
  # (the rest wait without an attempt each); a few quiet seconds after the first refusal suffice.
  backlog wait-metric --admin-port "$RELAY_ADMIN_PORT" --name relay_delivery_attempts_total \
    --at-least 1 --timeout 600 > /dev/null \
    || e2e_log "warning: no delivery attempt seen yet"
  sleep 3
  queued=$(backlog count --dir "$spool" --suffix .msg)
  put $t queued_before_restart "$queued"
  put $t queue_disk_kb "$(du -sk "$RELAY_HOME_DIR/spool" | cut -f1)"
  RELAY_HWM_QUEUE=$(vmhwm_kb "$RELAY_PID")
  echo "  queued: $queued messages (*.msg in the spool, $(du -sh "$RELAY_HOME_DIR/spool" | cut -f1)); VmHWM so far $RELAY_HWM_QUEUE kB"

  phase restart
  stop_s=$(relay_stop)
  put $t stop_s "$stop_s"
  relay_launch
  restart_s=$(relay_banner) || rc=$?
  if [ "$rc" != 0 ]; then
    restart_s="no 220 within 600 s"
    [ "$rc" != 3 ] || restart_s="exited before answering 220"
    put $t restart_s "$restart_s"
    echo "  stop (SIGTERM until exit): $stop_s s; restart with the full queue: $restart_s; its output ends:"
    grep -v '^[[:space:]]at ' "$RELAY_LOG" | tail -n 5 | cut -c1-200 | sed 's/^/    /'
    relay_finish
    return 1
  fi
  put $t restart_s "$restart_s"
  echo "  stop (SIGTERM until exit): $stop_s s; restart to 220 with the full queue: $restart_s s"
  grep -h 'recovered' "$RELAY_LOG" | sed 's/^/    /' || true

  # The upstream comes back. Relay has no "retry now" command: a configuration reload that shortens
  # the connector's retry schedule brings every waiting message forward to at most the new
  # max-delay (1 s) from now (docs/configuration.md, hot reload), which is what postqueue -f is
  # to Postfix. The new file is written beside, moved in, and SIGHUP reloads it at once.
  phase drain
  start_sink "$upstream" "$E2E_TMP/$t-sink.counter"
  relay_config_text "$RELAY_SMTP_PORT" "$RELAY_ADMIN_PORT" "$upstream" 1s > "$E2E_TMP/relay-up.conf"
  cp "$E2E_TMP/relay-up.conf" "$RESULTS_DIR/relay-up.conf"
  mv "$E2E_TMP/relay-up.conf" "$RELAY_CONF"
  t0=$(now)
  kill -HUP "$RELAY_PID"
  echo "  upstream back (smtp-sink on $upstream); retry triggered by reloading with retry 1s (SIGHUP)"
  drain $t "$t0" "$spool"
  relay_finish
}

# relay_finish: peak memory (VmHWM of the queueing JVM and of the restarted one), stop, logs, clean-up.
relay_finish() {
  local t=relay hwm_last note
  hwm_last=$(vmhwm_kb "$RELAY_PID")
  note="VmHWM of the JVM (/proc/PID/status): $RELAY_HWM_QUEUE kB while queueing"
  if [ "$RELAY_RUN" -gt 1 ]; then
    note="$note, $hwm_last kB after the restart (recovery + drain)"
    [ "$hwm_last" != 0 ] || note="$note (0: it had exited)"
  fi
  put $t peak_memory_kb "$((RELAY_HWM_QUEUE > hwm_last ? RELAY_HWM_QUEUE : hwm_last))"
  put $t peak_memory_what "JVM VmHWM"
  put $t peak_memory_note "$note"
  relay_stop > /dev/null
  stop_sampler
  backlog peaks --samples "$RESULTS_DIR/relay-memory.csv" --target $t --results "$RESULTS"
  [ -z "$SINK_PID" ] || stop_sink
  relay_keep_logs
  [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$RELAY_HOME_DIR"
}

relay_keep_logs() { # the bulky logs stay behind; a summary of their warnings and errors is kept
  local log=$RELAY_HOME_DIR/logs/relay.log summary=$RESULTS_DIR/relay-log-summary.txt
  if [ -f "$log" ]; then
    echo "relay.log: $(wc -l < "$log") lines, $(grep -c ' WARN ' "$log" || true) WARN, $(grep -c ' ERROR ' "$log" || true) ERROR;" \
      "logs directory $(du -sk "$RELAY_HOME_DIR/logs" | cut -f1) kB" > "$summary"
    grep -E ' (WARN|ERROR) ' "$log" | sed -E 's/[0-9A-Z]{10,}/ID/g' | cut -c31- | sort | uniq -c | sort -rn | head -40 >> "$summary" || true
    grep -E ' (WARN|ERROR) ' "$log" | head -200 > "$RESULTS_DIR/relay-log-warnings.txt" || true
    grep -E 'reload|changed|ready|recovered|shut|stopp' "$log" | grep -v 'cannot use' > "$RESULTS_DIR/relay-log-lifecycle.txt" || true
  else
    echo "relay.log: missing" > "$summary"
  fi
  # The console output of each JVM: uncaught exceptions such as OutOfMemoryError land there.
  grep -HE '^(Exception|Caused by)|Error:' "$RESULTS_DIR"/relay-stdout-*.log | cut -c1-300 | head -20 >> "$summary" || true
  sed 's/^/  /' "$summary" | head -8
}

# ---- Postfix

run_postfix() {
  local t=postfix port upstream q first stop_s restart_s t0 queued
  SINK_PID=""
  [ "$(id -u)" = 0 ] || fail "the Postfix part needs root (run with -t relay otherwise)"
  port=$(free_port)
  upstream=$(backlog dead-port)
  q=$POSTFIX_DIR/queue
  postfix_setup "$POSTFIX_DIR" "$port" "$upstream"
  # Backoff as long as Relay's retry delay (and queue scans no more often), lifetimes longer than the run.
  postconf -c "$POSTFIX_DIR/etc" -e "minimal_backoff_time = $DOWN_RETRY" "maximal_backoff_time = $DOWN_RETRY" \
    "queue_run_delay = $DOWN_RETRY" "maximal_queue_lifetime = 7d" "bounce_queue_lifetime = 7d"
  cp "$POSTFIX_DIR/etc/main.cf" "$RESULTS_DIR/postfix-down-main.cf"

  echo "== Postfix $(postconf -h mail_version): $TOTAL messages with the relayhost [127.0.0.1]:$upstream down (connection refused)"
  phase start
  start_sampler postfix "$q/pid/master.pid"
  LAUNCHED=$(now)
  postfix_start "$POSTFIX_DIR" || fail "Postfix did not start (see $POSTFIX_DIR/maillog)"
  first=$(backlog banner --port "$port" --since "$LAUNCHED" --timeout 120) || fail "Postfix did not answer 220"
  put $t start_s "$first"
  echo "  started (empty queue): 220 after $first s"
  phase queue
  accept $t "$port" "$q/pid/master.pid" || { postfix_finish; return 1; }
  # Before the restart, let the queue manager move everything to the deferred queue.
  backlog wait-empty --dir "$q/incoming" --dir "$q/active" --dir "$q/maildrop" --timeout 600 > /dev/null \
    || e2e_log "warning: messages still in incoming/active after 600 s"
  queued=$(backlog count --dir "$q/deferred" --dir "$q/incoming" --dir "$q/active" --dir "$q/hold")
  put $t queued_before_restart "$queued"
  put $t queue_disk_kb "$(du -sk "$q" | cut -f1)"
  echo "  queued: $queued messages (files in deferred, incoming, active, hold; $(du -sh "$q" | cut -f1))"

  phase restart
  t0=$(now)
  postfix_stop "$POSTFIX_DIR"
  stop_s=$(since "$t0")
  put $t stop_s "$stop_s"
  LAUNCHED=$(now)
  postfix_start "$POSTFIX_DIR" || fail "Postfix did not start again (see $POSTFIX_DIR/maillog)"
  if ! restart_s=$(backlog banner --port "$port" --since "$LAUNCHED" --timeout 600); then
    put $t restart_s "no 220 within 600 s"
    postfix_finish
    return 1
  fi
  put $t restart_s "$restart_s"
  echo "  stop (postfix stop until the master exits): $stop_s s; restart (postfix start) to 220 with the full queue: $restart_s s"

  # The upstream comes back: a short backoff for anything that fails from now on (as Relay's
  # reload does), then the flush: postqueue -f, from which the drain is timed.
  phase drain
  start_sink "$upstream" "$E2E_TMP/$t-sink.counter"
  postconf -c "$POSTFIX_DIR/etc" -e "minimal_backoff_time = 10s" "maximal_backoff_time = 10s" "queue_run_delay = 10s"
  postfix -c "$POSTFIX_DIR/etc" reload > /dev/null 2>&1
  sleep 2 # the queue manager restarts on reload
  t0=$(now)
  postqueue -c "$POSTFIX_DIR/etc" -f
  echo "  upstream back (smtp-sink on $upstream); backoff 10s (postfix reload), then postqueue -f"
  drain $t "$t0" "$q/incoming" "$q/active" "$q/deferred" "$q/hold" "$q/maildrop"
  postfix_finish
}

# postfix_finish: peak memory (the sampled sums), stop, log summary, clean-up.
postfix_finish() {
  local t=postfix
  postfix_stop "$POSTFIX_DIR"
  stop_sampler
  backlog peaks --samples "$RESULTS_DIR/postfix-memory.csv" --target $t --results "$RESULTS" --peak-memory
  put $t peak_memory_what "sum RSS, sampled"
  put $t peak_memory_note "RSS = the largest sum of VmRSS over the master and all its children, sampled every second (pages shared between processes count once per process); PSS = the same with shared pages divided among the processes sharing them"
  [ -z "$SINK_PID" ] || stop_sink
  {
    echo "maillog: $(wc -l < "$POSTFIX_DIR/maillog") lines; status=sent $(grep -c 'status=sent' "$POSTFIX_DIR/maillog" || true)," \
      "status=deferred $(grep -c 'status=deferred' "$POSTFIX_DIR/maillog" || true)" \
      "(after a connection attempt $(grep 'status=deferred' "$POSTFIX_DIR/maillog" | grep -vc 'temporarily suspended' || true)," \
      "without one, destination dead: $(grep 'status=deferred' "$POSTFIX_DIR/maillog" | grep -c 'temporarily suspended' || true))"
    grep -E 'warning|fatal|panic|error' "$POSTFIX_DIR/maillog" | grep -v 'status=' | sed -E 's/^.{0,40}postfix/postfix/' \
      | sed -E 's/\[[0-9]+\]//g' | sort | uniq -c | sort -rn | head -40 || true
  } > "$RESULTS_DIR/postfix-log-summary.txt"
  tail -n 200 "$POSTFIX_DIR/maillog" > "$RESULTS_DIR/postfix-maillog-tail.txt"
  sed -n 's/^/  /; 1p' "$RESULTS_DIR/postfix-log-summary.txt"
  [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$POSTFIX_DIR"
}

for target in "${TARGETS[@]}"; do
  "run_$target" || e2e_log "$target: stopped early; its figures are incomplete"
done
phase done

echo "== backlog: $TOTAL messages per relay (figures from one run on a shared machine: compare side by side only)"
backlog report --results "$RESULTS" | tee "$RESULTS_DIR/summary.txt"
echo "backlog: done (${TARGETS[*]}); raw output in $RESULTS_DIR"
