#!/usr/bin/env bash
# Log size caps under hostile traffic: a relay whose logs may take 1 MiB per file and 3 MiB per log
# is flooded with junk sessions (EHLO then NOOP after NOOP until the junk-command limit closes them;
# every line goes to protocol.log: about 10 MiB, random text that compresses only to about half). protocol.log rolls into numbered parts, the
# oldest parts are removed, and protocol.log with its parts never takes more than 3 MiB; mail is
# still accepted and delivered afterwards. relay.log is where the configuration puts it (not in ./var).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init logcap 600 "$@"

RUN_ID=$$-$RANDOM
# From a working directory of its own: relay.log must go where the configuration says, not ./var/logs.
mkdir -p "$E2E_TMP/cwd"
cd "$E2E_TMP/cwd"
start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
config=$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$SINK_PORT" none)")
# relay_config ends with the closing brace of relay {}: add the logging limits inside it.
config="${config%\}}
  logging { max-file-size = 1MiB, protocol-log-total-size = 3MiB, relay-log-total-size = 3MiB, tracking-log-total-size = 3MiB }
}"
start_relay "$config"
LOGS=$E2E_TMP/relay-home/logs

"$E2E_PYTHON" - "$RELAY_SMTP_PORT" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
for session in range(400):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"EHLO flood.e2e.test\r\n" + b"NOOP " + b"x" * 60 + b"\r\n" * 1 + b"".join(
        b"NOOP " + os.urandom(40).hex().encode() + b"\r\n" for i in range(120)))
    while s.recv(65536):
        pass  # until the relay closes the session (421 after the junk limit)
    s.close()
PY
e2e_log "flood sent: $(du -cb "$LOGS"/protocol.* | tail -n 1 | cut -f1) octets of protocol log on disk now"

# Rolled parts are compressed and pruned in the background: wait until none is left uncompressed.
wait_for 60 "the rolled protocol.log parts to be compressed" \
  bash -c "! ls '$LOGS' | grep -qE '^protocol\.[0-9-]+\.[0-9]+\.log$'"
parts=$(ls "$LOGS" | grep -E '^protocol\.[0-9-]+\.[0-9]+\.log\.gz$' | sort -t. -k3 -n)
[ -n "$parts" ] || fail "protocol.log never rolled by size: $(ls -l "$LOGS")"
first=$(head -n 1 <<< "$parts" | cut -d. -f3)
last=$(tail -n 1 <<< "$parts" | cut -d. -f3)
[ "$first" -gt 1 ] || fail "the oldest parts were not removed (parts $first..$last)"
total=$(du -cb "$LOGS"/protocol.* | tail -n 1 | cut -f1)
[ "$total" -le $((3 * 1024 * 1024)) ] || fail "protocol.log and its parts take $total octets, more than 3 MiB"
e2e_log "ok: protocol.log parts $first..$last kept, $total octets in all"

replies=$("$E2E_PYTHON" "$E2E_LIB/probe.py" "$RELAY_SMTP_PORT" 127.0.0.1 device@e2e.test someone@example.test "logcap-$RUN_ID")
[[ $replies == "220 250 250 250 354 250 221" ]] || fail "mail after the flood: $replies"
wait_for 60 "the message at the sink" sink_has_at_least 1
[ -s "$LOGS/relay.log" ] || fail "relay.log is not in the configured logging directory $LOGS"
[ ! -e "$E2E_TMP/cwd/var" ] || fail "the relay wrote into its working directory: $(find "$E2E_TMP/cwd/var")"
echo "logcap: PASS — a junk flood rolled protocol.log into parts $first..$last (oldest removed), $total octets on disk (cap 3 MiB); mail accepted and delivered afterwards"
