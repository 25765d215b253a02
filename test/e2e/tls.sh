#!/usr/bin/env bash
# TLS for old devices and implicit TLS, with real clients, in one relay with three listeners:
#   "legacy"   STARTTLS, tls-min-version = TLSv1: openssl -tls1 and -tls1_1 succeed (AES128-SHA too)
#   "default"  STARTTLS, default floor:          openssl -tls1 and -tls1_1 fail, -tls1_2 succeeds,
#                                                plain-RSA AES128-SHA fails
#   "smtps"    implicit TLS (port 465 style):     swaks --tls-on-connect delivers a message
# A message sent over TLS 1.0 on the legacy listener is delivered too. No file the relay wrote is
# readable by other users; check-config accepts the running relay's file; a stop is logged.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init tls 600 "$@"

RUN_ID=$$-$RANDOM
start_sink
ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
DEFAULT_PORT=$(free_port)
SMTPS_PORT=$(free_port)
INBOUND='[ { name = "loopback", client-networks = ["127.0.0.0/8"], relay = true } ]'
start_relay "relay {
  home = \${?RELAY_HOME}
  hostname = \"relay.test\"
  listeners = [
    { name = \"legacy\", address = \"127.0.0.1\", port = $RELAY_SMTP_PORT, tls-min-version = \"TLSv1\",
      inbound-connectors = $INBOUND },
    { name = \"default\", address = \"127.0.0.1\", port = $DEFAULT_PORT, inbound-connectors = $INBOUND },
    { name = \"smtps\", address = \"127.0.0.1\", port = $SMTPS_PORT, implicit-tls = true,
      inbound-connectors = $INBOUND }
  ]
  spool { min-free-space = 10MiB }
  outbound-connectors = [ $(smart_host_connector "$SINK_PORT" none) ]
  admin { port = $(free_port) }
}"
wait_port "$DEFAULT_PORT" 10
wait_port "$SMTPS_PORT" 10
grep -q "accept TLS 1.0/1.1 for old devices" "$RELAY_LOG" || fail "the relay did not log the legacy TLS choice"

# handshake PORT VERSION_FLAG [CIPHERS]: prints the negotiated protocol, or "failed".
handshake() {
  local out
  out=$(echo QUIT | timeout 20 openssl s_client -starttls smtp -connect "127.0.0.1:$1" "$2" \
    -cipher "${3:-DEFAULT}:@SECLEVEL=0" 2>&1) || true
  # (openssl names the suite's own version on the "New," line, "SSLv3" for AES128-SHA: the
  # negotiated protocol is on the "Protocol" line.)
  if grep -qE '^New, .*, Cipher is [A-Z0-9]' <<< "$out"; then
    grep -oE 'Protocol *: *TLSv[0-9.]+' <<< "$out" | head -1 | sed 's/.*: *//'
  else
    echo failed
  fi
}

for flag in -tls1 -tls1_1; do
  got=$(handshake "$RELAY_SMTP_PORT" "$flag")
  [[ $got == TLSv1* ]] || fail "legacy listener refused openssl $flag (got: $got)"
  e2e_log "ok: legacy listener, openssl $flag -> $got"
  got=$(handshake "$DEFAULT_PORT" "$flag")
  [ "$got" = failed ] || fail "default listener accepted openssl $flag ($got)"
  e2e_log "ok: default listener refuses openssl $flag"
done
got=$(handshake "$DEFAULT_PORT" -tls1_2)
[ "$got" = TLSv1.2 ] || fail "default listener did not speak TLS 1.2 ($got)"
# Plain RSA key exchange (no forward secrecy), all many old printers offer: legacy listener only.
got=$(handshake "$RELAY_SMTP_PORT" -tls1 AES128-SHA)
[ "$got" = TLSv1 ] || fail "legacy listener refused TLS 1.0 with AES128-SHA ($got)"
got=$(handshake "$DEFAULT_PORT" -tls1_2 AES128-SHA)
[ "$got" = failed ] || fail "default listener accepted plain RSA key exchange ($got)"

# A message over TLS 1.0 on the legacy listener, the way an old printer sends it.
out=$( (printf 'EHLO printer\r\n'; sleep 1; printf 'MAIL FROM:<scanner@e2e.test>\r\n'; sleep 0.3
        printf 'RCPT TO:<someone@outside.test>\r\n'; sleep 0.3; printf 'DATA\r\n'; sleep 0.3
        printf 'Subject: tls-legacy-%s\r\n\r\nscan\r\n.\r\n' "$RUN_ID"; sleep 1; printf 'QUIT\r\n'; sleep 0.5) \
  | timeout 30 openssl s_client -quiet -starttls smtp -connect "127.0.0.1:$RELAY_SMTP_PORT" -tls1 \
      -cipher 'DEFAULT:@SECLEVEL=0' 2>&1) || true
grep -q '^250 2.0.0 Ok queued' <<< "$out" || fail "no 250 for the message over TLS 1.0: $out"

swaks --server 127.0.0.1 --port "$SMTPS_PORT" --tls-on-connect --from device@e2e.test --to someone@outside.test \
  --header "Subject: tls-implicit-$RUN_ID" --body "over implicit TLS" > "$E2E_TMP/swaks.log" 2>&1 \
  || fail "swaks over implicit TLS failed: $(tail -n 20 "$E2E_TMP/swaks.log")"
grep -q 'with ESMTPS' "$E2E_TMP/swaks.log" || true

wait_for 60 "2 messages at the sink" sink_has_at_least 2
for subject in "tls-legacy-$RUN_ID" "tls-implicit-$RUN_ID"; do
  file=$("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "$subject")
  [ -n "$file" ] || fail "$subject was accepted but not delivered"
  grep -q 'with ESMTPS' "$file" || fail "$subject: the Received header does not say ESMTPS"
done
# check-config on the relay's own host: the ports are held by this running relay, which is fine
# (--config works as well as the positional FILE).
"$E2E_ROOT/bin/relay" check-config --config "$RELAY_CONF" > "$E2E_TMP/check-running.log" 2>&1 \
  || fail "check-config refused the running relay's own file: $(cat "$E2E_TMP/check-running.log")"

# A stop is logged.
stop_relay
grep -q 'Relay stopped' "$RELAY_LOG" || fail "no 'Relay stopped' line after SIGTERM"

# Files the relay created (logs, generated certificate, spool) are not readable by other users.
readable=$(find "$E2E_TMP/relay-home" -type f -perm -o=r | head -5)
[ -z "$readable" ] || fail "world-readable files in the relay's home: $readable"
echo "tls: PASS — TLS 1.0 and 1.1 on the legacy listener only (openssl), TLS 1.2 on the default one, a message over TLS 1.0 and one over implicit TLS (swaks) delivered"
