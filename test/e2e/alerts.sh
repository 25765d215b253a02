#!/usr/bin/env bash
# The monitoring that ships with Relay: the Prometheus alert rules (ops/prometheus/relay-alerts.yml)
# pass `promtool check rules` and their unit tests (relay-alerts.test.yml); the Grafana dashboard
# (ops/grafana/relay-dashboard.json) parses and is importable; and every metric name the dashboard
# and the rules use is exported by a running relay, once it has accepted, delivered and deferred
# mail, asked for an OAuth token and reloaded its configuration. Names that appear only after
# events this run does not cause are listed below with the reason.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init alerts 300 "$@"

OPS=$E2E_ROOT/ops
RULES=$OPS/prometheus/relay-alerts.yml
DASHBOARD=$OPS/grafana/relay-dashboard.json
CHECK=$E2E_LIB/opscheck.py

# Used by the dashboard or the rules but absent from a relay that has not seen the event.
declare -A ALLOWED_MISSING=(
  [up]="Prometheus's own series for each scrape target, not the relay's"
  [relay_oauth_token_expiry_seconds]="appears with a connector's first token (no token endpoint here; TokenMetricsTest)"
  [relay_dsn_sent_total]="counted from the first bounce or delay notice"
  [relay_cluster_store_up]="only with a cluster section (ClusterRelayTest, test/e2e/cluster.sh check it)"
  [jvm_gc_pause_seconds_count]="Micrometer registers the pause timer at the first garbage collection"
  [jvm_gc_pause_seconds_sum]="as jvm_gc_pause_seconds_count"
)

command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus; .ci/run installs it)"
promtool check rules "$RULES" > "$E2E_TMP/check-rules.log" 2>&1 \
  || fail "promtool check rules: $(cat "$E2E_TMP/check-rules.log")"
(cd "$OPS/prometheus" && promtool test rules relay-alerts.test.yml) > "$E2E_TMP/test-rules.log" 2>&1 \
  || fail "promtool test rules: $(cat "$E2E_TMP/test-rules.log")"
alerts=$(grep -c '^      - alert: ' "$RULES")
evaluations=$(grep -c 'alertname: ' "$OPS/prometheus/relay-alerts.test.yml")
"$E2E_PYTHON" "$CHECK" dashboard "$DASHBOARD" 2> "$E2E_TMP/dashboard.log" \
  || fail "the dashboard is not importable: $(cat "$E2E_TMP/dashboard.log")"

# A relay with a smart host (the sink) for most mail and a Microsoft 365 connector whose token
# endpoint and server are a closed port: its mail is deferred after a failed token request, and its
# mailbox is a configured identity, so every kind of connector metric has a series.
start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
DEAD_PORT=$(free_port)
export E2E_M365_SECRET="not-a-real-secret"
m365="{ name = \"m365\", type = smtp-auth, host = \"127.0.0.1\", port = $DEAD_PORT, recipient-domains = [\"m365.test\"]
    oauth { authority = \"https://127.0.0.1:$DEAD_PORT\", tenant = \"contoso.onmicrosoft.com\",
      client-id = \"00000000-0000-0000-0000-000000000001\", client-secret = \"env:E2E_M365_SECRET\" }
    identities = [ { sender = \"*\", mailbox = \"relay@contoso.test\" } ] }"
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$ADMIN_PORT" "$(smart_host_connector "$SINK_PORT" none), $m365")"

MSG=$E2E_TMP/message.eml
printf '%s\r\n' "From: <device@e2e.test>" "Subject: e2e alerts" "" "one message" > "$MSG"
"$E2E_PYTHON" "$E2E_LIB/peer.py" "$RELAY_SMTP_PORT" device@e2e.test someone@example.test "$MSG" \
  > "$E2E_TMP/client.log" 2>&1 || fail "the relay did not accept the message: $(cat "$E2E_TMP/client.log")"
"$E2E_PYTHON" "$E2E_LIB/peer.py" "$RELAY_SMTP_PORT" device@e2e.test someone@m365.test "$MSG" \
  >> "$E2E_TMP/client.log" 2>&1 || fail "the relay did not accept the message for m365: $(cat "$E2E_TMP/client.log")"
# One refused command, so that relay_messages_rejected_total has a series.
"$E2E_PYTHON" - "$RELAY_SMTP_PORT" <<'EOF' || fail "the relay did not refuse RCPT before MAIL"
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as smtp:
    smtp.ehlo()
    code, _ = smtp.docmd("RCPT", "TO:<nobody@example.test>")
    sys.exit(0 if code >= 500 else 1)
EOF
wait_for 30 "delivery to the sink" sink_has_at_least 1
kill -HUP "$RELAY_PID"

METRICS=$E2E_TMP/metrics.txt
scrape() { curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" -o "$METRICS"; }
has() { scrape && grep -q "$1" "$METRICS"; }
wait_for 30 "a configuration reload counted" has '^relay_config_reloads_total{result="success"}'
wait_for 30 "a failed token request counted" has '^relay_oauth_token_requests_total{connector="m365",result="failed"}'
# The queue gauges come from a census at most 10 s old.
wait_for 30 "the m365 message in the queue gauges" has '^relay_queue_messages{connector="m365",state="active"} 1.0'
grep -q '^relay_mailbox_sessions_limit{connector="m365",mailbox="relay@contoso.test"} 3.0' "$METRICS" \
  || fail "no mailbox gauges for relay@contoso.test: $(grep relay_mailbox "$METRICS")"
awk '$1 == "relay_queue_oldest_age_seconds{connector=\"m365\"}" && $2 > 0 { found = 1 } END { exit !found }' "$METRICS" \
  || fail "the m365 message has no age: $(grep relay_queue_oldest "$METRICS")"
scrape_seconds=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$ADMIN_PORT/metrics")

"$E2E_PYTHON" "$CHECK" used "$DASHBOARD" "$RULES" > "$E2E_TMP/used.txt"
"$E2E_PYTHON" "$CHECK" exported "$METRICS" > "$E2E_TMP/exported.txt"
missing=()
while read -r name; do
  [ -n "${ALLOWED_MISSING[$name]:-}" ] && continue
  missing+=("$name")
done < <(comm -23 "$E2E_TMP/used.txt" "$E2E_TMP/exported.txt")
[ ${#missing[@]} -eq 0 ] || fail "used by the dashboard or the rules but not exported: ${missing[*]}"
for name in "${!ALLOWED_MISSING[@]}"; do
  grep -qx "$name" "$E2E_TMP/used.txt" || fail "ALLOWED_MISSING lists $name, which nothing uses any more"
done

echo "alerts: PASS — $alerts alert rules checked, $evaluations alert evaluations in the unit tests passed, dashboard importable;" \
  "$(wc -l < "$E2E_TMP/used.txt") metric names used, all exported by the running relay" \
  "(${#ALLOWED_MISSING[@]} allowed to wait for their event); /metrics answered in ${scrape_seconds}s"
