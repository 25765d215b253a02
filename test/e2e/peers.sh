#!/usr/bin/env bash
# Independent SMTP peers (swaks, Python smtplib; plain and STARTTLS) send into Relay, which delivers
# to the Python sink over STARTTLS verified against a test CA (tls = verify). Each message must
# arrive byte for byte as sent, apart from the one Received: header Relay adds at the top; a bare-LF
# message must arrive with CRLF line endings, and an 8-bit UTF-8 body must arrive untouched.
#
# E2E_DIRECT=1 sends straight to the sink (no relay, nothing stripped): a self-test of the clients,
# the sink and the comparison.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init peers 600 "$@"

SENDER=device@e2e.test
RECIPIENT=someone@example.test
MSGS=$E2E_TMP/msgs
mkdir -p "$MSGS"
RUN_ID=$$-$RANDOM

# crlf_message NAME BODY_LINES...: a message with CRLF line endings whose X-E2E-Id header names it;
# writes MSGS/NAME.sent, and MSGS/NAME.expected identical to it.
crlf_message() {
  local name=$1
  shift
  {
    printf '%s\r\n' "From: Device <$SENDER>" "To: <$RECIPIENT>" "Subject: e2e $name" \
      "X-E2E-Id: $name-$RUN_ID" "MIME-Version: 1.0" "Content-Type: text/plain; charset=us-ascii" ""
    printf '%s\r\n' "$@"
  } > "$MSGS/$name.sent"
  cp "$MSGS/$name.sent" "$MSGS/$name.expected"
}

# Body lines worth carrying: a leading dot (dot transparency both ways), a line that looks like the
# end of data with trailing space, leading whitespace, an empty line and a long line.
ordinary_body=(
  "Hello from the end-to-end test."
  ".a line that starts with a dot"
  ". "
  "..two dots"
  "  indented line"
  ""
  "$(printf 'x%.0s' $(seq 1 900))"
  "last line"
)

crlf_message swaks-plain "${ordinary_body[@]}"
crlf_message swaks-tls "${ordinary_body[@]}"
crlf_message smtplib-plain "${ordinary_body[@]}"
crlf_message smtplib-starttls "${ordinary_body[@]}"

# A message whose body has bare-LF lines: Relay normalises them to CRLF by default.
{
  printf '%s\r\n' "From: <$SENDER>" "To: <$RECIPIENT>" "Subject: e2e bare LF" "X-E2E-Id: smtplib-bare-lf-$RUN_ID" ""
  # The last line ends in CRLF: smtplib would append a CRLF after a trailing bare LF.
  printf 'crlf line\r\nbare lf line one\nbare lf line two\ncrlf again\r\nlast line\r\n'
} > "$MSGS/smtplib-bare-lf.sent"
if [ "${E2E_DIRECT:-0}" = 1 ]; then # the sink itself keeps bare LFs as they are
  cp "$MSGS/smtplib-bare-lf.sent" "$MSGS/smtplib-bare-lf.expected"
else
  sed 's/\r$//; s/$/\r/' "$MSGS/smtplib-bare-lf.sent" > "$MSGS/smtplib-bare-lf.expected"
fi

# An 8-bit UTF-8 body, sent with BODY=8BITMIME: no transcoding is allowed on the way.
crlf_message smtplib-utf8 "Grüße aus Köln — ça marche, 日本語のテキスト, emoji 📠" "Ünïcödé ✓"
sed -i 's/charset=us-ascii/charset=utf-8\r\nContent-Transfer-Encoding: 8bit/; s/\r\r/\r/' \
  "$MSGS/smtplib-utf8.sent"
cp "$MSGS/smtplib-utf8.sent" "$MSGS/smtplib-utf8.expected"

make_test_ca "$E2E_TMP/ca"
if [ "${E2E_DIRECT:-0}" = 1 ]; then
  start_sink --tls-cert "$E2E_TMP/ca/server.pem" --tls-key "$E2E_TMP/ca/server.key"
  target=$SINK_PORT strip=""
else
  # The sink refuses mail without STARTTLS, so a relay that skipped TLS could not deliver at all.
  start_sink --tls-cert "$E2E_TMP/ca/server.pem" --tls-key "$E2E_TMP/ca/server.key" --require-starttls
  ensure_relay_built
  RELAY_SMTP_PORT=$(free_port) ADMIN_PORT=$(free_port)
  start_relay "$(relay_config "$RELAY_SMTP_PORT" "$ADMIN_PORT" \
    "$(smart_host_connector "$SINK_PORT" verify "$E2E_TMP/ca/ca.pem")" true)"
  target=$RELAY_SMTP_PORT strip=--strip-received
fi

send_swaks() { # NAME [swaks options]
  local name=$1
  shift
  # swaks always sends CRLF before the final dot, so it gets the file minus its last CRLF.
  head -c -2 "$MSGS/$name.sent" > "$MSGS/$name.swaks"
  swaks --server "127.0.0.1:$target" --helo peer.e2e.test --from "$SENDER" --to "$RECIPIENT" \
    --data "@$MSGS/$name.swaks" --timeout 30 "$@" > "$E2E_TMP/$name.client.log" 2>&1 \
    || fail "swaks ($name) failed: $(tail -n 5 "$E2E_TMP/$name.client.log")"
}

send_smtplib() { # NAME [peer.py options]
  local name=$1
  shift
  "$E2E_PYTHON" "$E2E_LIB/peer.py" "$target" "$SENDER" "$RECIPIENT" "$MSGS/$name.sent" "$@" \
    > "$E2E_TMP/$name.client.log" 2>&1 \
    || fail "smtplib ($name) failed: $(tail -n 5 "$E2E_TMP/$name.client.log")"
}

send_swaks swaks-plain
send_swaks swaks-tls --tls
send_smtplib smtplib-plain
send_smtplib smtplib-starttls --starttls
send_smtplib smtplib-bare-lf
send_smtplib smtplib-utf8 --8bitmime
names=(swaks-plain swaks-tls smtplib-plain smtplib-starttls smtplib-bare-lf smtplib-utf8)

wait_for 60 "${#names[@]} messages at the sink (it has $(sink_count))" sink_has_at_least "${#names[@]}"

for name in "${names[@]}"; do
  mapfile -t found < <("$E2E_PYTHON" "$E2E_LIB/check.py" find "$SINK_DIR" "X-E2E-Id: $name-$RUN_ID")
  [ "${#found[@]}" -eq 1 ] || fail "$name: expected 1 copy at the sink, found ${#found[@]}"
  "$E2E_PYTHON" "$E2E_LIB/check.py" same "$MSGS/$name.expected" "${found[0]}" $strip \
    || fail "$name: content changed on the way"
  "$E2E_PYTHON" "$E2E_LIB/check.py" envelope "${found[0]%.eml}.json" "$SENDER" "$RECIPIENT" \
    || fail "$name: envelope changed on the way"
  if [ "${E2E_DIRECT:-0}" != 1 ]; then
    grep -q '"tls": true' "${found[0]%.eml}.json" || fail "$name: reached the sink without TLS"
    # The added trace header names the relay (hostname = relay.test in the config).
    awk 'NR == 1 || /^[ \t]/ { print; next } { exit }' "${found[0]}" | grep -q 'relay\.test' \
      || fail "$name: the Received header does not name relay.test: $(head -n 3 "${found[0]}")"
    case $name in *tls*) # RFC 3848: a session protected by STARTTLS is recorded "with ESMTPS"
      awk 'NR == 1 || /^[ \t]/ { print; next } { exit }' "${found[0]}" | grep -q 'ESMTPS' \
        || fail "$name: came in over STARTTLS but its Received header does not say ESMTPS" ;;
    esac
  fi
  if [ "$name" = smtplib-utf8 ]; then # the 8-bit body must keep its BODY=8BITMIME on the way out
    grep -q 'BODY=8BITMIME' "${found[0]%.eml}.json" || fail "$name: arrived without BODY=8BITMIME"
  fi
  e2e_log "ok: $name"
done
[ "$(sink_count)" -eq "${#names[@]}" ] || fail "the sink has $(sink_count) messages, expected ${#names[@]}"

if [ "${E2E_DIRECT:-0}" != 1 ]; then
  # The admin endpoint: health, and Prometheus text exposition.
  curl -fsS --max-time 10 "http://127.0.0.1:$ADMIN_PORT/healthz" > /dev/null \
    || fail "GET /healthz on the admin port $ADMIN_PORT failed"
  curl -fsS --max-time 10 "http://127.0.0.1:$ADMIN_PORT/metrics" > "$E2E_TMP/metrics.txt" \
    || fail "GET /metrics on the admin port $ADMIN_PORT failed"
  grep -q '^# TYPE ' "$E2E_TMP/metrics.txt" || fail "/metrics is not Prometheus text: $(head -c 300 "$E2E_TMP/metrics.txt")"
fi

echo "peers: PASS — ${#names[@]} messages (swaks plain/TLS, smtplib plain/STARTTLS, bare LF, 8-bit UTF-8) arrived intact$([ "${E2E_DIRECT:-0}" = 1 ] && echo ' (direct to sink)' || echo ' via Relay over verified STARTTLS')"
