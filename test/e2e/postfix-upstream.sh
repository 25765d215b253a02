#!/usr/bin/env bash
# Relay delivering to a real MTA: Debian's Postfix smtpd as the smart host (which offers
# PIPELINING and DSN, and refuses or holds recipients by an access map). One message to three
# recipients must go in one pipelined transaction (every command written before the first reply
# is read, as the protocol log shows): the refused recipient fails with Postfix's own reply, the
# others are accepted, and the held copy in Postfix's queue carries the NOTIFY and ORCPT given to
# Relay, RET and ENVID too (RFC 3461 asks a relay to pass them on). Postfix must log no improper
# pipelining. Needs root (Postfix's master).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/../../bench/lib/postfix.sh"
e2e_init postfix-upstream 300 "$@"
[ "$(id -u)" = 0 ] || { echo "postfix-upstream: SKIP (needs root for Postfix's master)"; exit 0; }
POSTFIX_DIR=$E2E_TMP/postfix
trap 'rc=$?; postfix_stop "$POSTFIX_DIR"; e2e_cleanup $rc' EXIT

SINK_PORT=$(free_port)
smtp-sink -u nobody "127.0.0.1:$SINK_PORT" 100 > /dev/null 2>&1 &
e2e_track $!
wait_port "$SINK_PORT" 10
POSTFIX_PORT=$(free_port)
postfix_setup "$POSTFIX_DIR" "$POSTFIX_PORT" "$SINK_PORT"
cat >> "$POSTFIX_DIR/etc/main.cf" <<'CONF'
smtpd_recipient_restrictions = check_recipient_access inline:{ {refused@e2e.test = REJECT no such user here}, {held@e2e.test = HOLD kept for inspection} }, permit_mynetworks, reject
CONF
postfix_start "$POSTFIX_DIR" || fail "Postfix did not start (see $POSTFIX_DIR/maillog)"
wait_port "$POSTFIX_PORT" 30

ensure_relay_built
RELAY_SMTP_PORT=$(free_port)
start_relay "$(relay_config "$RELAY_SMTP_PORT" "$(free_port)" "$(smart_host_connector "$POSTFIX_PORT" none)")"

"$E2E_PYTHON" - "$RELAY_SMTP_PORT" <<'PY' > "$E2E_TMP/client.log" 2>&1 || fail "the relay did not take the message: $(cat "$E2E_TMP/client.log")"
import smtplib, sys
message = b"From: <device@e2e.test>\r\nTo: <ok@e2e.test>\r\nSubject: e2e postfix upstream\r\n\r\n.a line with a leading dot\r\nscan attached\r\n"
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.ehlo("printer.e2e.test")
    s.mail("device@e2e.test", ["RET=HDRS", "ENVID=scan+2B42"])
    s.rcpt("ok@e2e.test", ["NOTIFY=FAILURE,DELAY"])
    s.rcpt("refused@e2e.test")
    s.rcpt("held@e2e.test", ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;front-desk@e2e.test"])
    s.data(message)
PY

TRACKING=$E2E_TMP/relay-home/logs/tracking.log
PROTOCOL=$E2E_TMP/relay-home/logs/protocol.log
settled() { [ "$(grep -cE '"event":"(delivered|failed)"' "$TRACKING" 2>/dev/null || true)" -ge 3 ]; }
wait_for 60 "a delivered or failed event for each of the three recipients" settled
for who in ok held; do
  grep "\"recipient\":\"<$who@e2e.test>\"" "$TRACKING" | grep -q '"event":"delivered"' \
    || fail "$who@e2e.test was not delivered: $(grep "$who@" "$TRACKING")"
done
grep '"recipient":"<refused@e2e.test>"' "$TRACKING" | grep '"event":"failed"' | grep -q 'no such user here' \
  || fail "refused@e2e.test did not fail with Postfix's reply: $(grep 'refused@' "$TRACKING")"

# Pipelined: in the relay's outbound session, MAIL, the three RCPTs and DATA all went out before
# the first reply to MAIL came in.
"$E2E_PYTHON" - "$PROTOCOL" <<'PY' || fail "the transaction was not pipelined (see $PROTOCOL)"
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
outbound = [l for l in lines if " upstream - " in l]
start = next(i for i, l in enumerate(outbound) if " OUT MAIL FROM:" in l)
group = []
for l in outbound[start:]:
    if " IN " in l:
        break
    if " OUT " in l:
        group.append(l.split(" OUT ", 1)[1])
expected = ["MAIL FROM:<device@e2e.test> RET=HDRS ENVID=scan+2B42", "RCPT TO:<ok@e2e.test> NOTIFY=FAILURE,DELAY",
            "RCPT TO:<refused@e2e.test>", "RCPT TO:<held@e2e.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;front-desk@e2e.test", "DATA"]
print("pipelined group:", group)
sys.exit(0 if group == expected else 1)
PY

# What Postfix kept: the held copy's envelope, with Postfix's names for the DSN parameters
# (notify_flags: SUCCESS 2, FAILURE 4, DELAY 8; ret_flags 2: HDRS; the ENVID xtext decoded).
queue_id=$(postqueue -c "$POSTFIX_DIR/etc" -j 2>/dev/null \
  | "$E2E_PYTHON" -c 'import json,sys; print(next(json.loads(l)["queue_id"] for l in sys.stdin if l.strip()))') \
  || fail "no held message in Postfix's queue"
postcat -c "$POSTFIX_DIR/etc" -q "$queue_id" > "$E2E_TMP/postcat.txt" 2>&1 || fail "postcat failed: $(cat "$E2E_TMP/postcat.txt")"
"$E2E_PYTHON" - "$E2E_TMP/postcat.txt" <<'PY' || fail "Postfix's queue file lacks a DSN parameter (see $E2E_TMP/postcat.txt)"
import sys
text = open(sys.argv[1]).read()
wanted = ["named_attribute: envelope_id=scan+42", "named_attribute: ret_flags=2",
          "named_attribute: notify_flags=12\nnamed_attribute: dsn_orig_rcpt=rfc822;ok@e2e.test\n",
          "named_attribute: notify_flags=6\nnamed_attribute: dsn_orig_rcpt=rfc822;front-desk@e2e.test\noriginal_recipient: held@e2e.test"]
missing = [w for w in wanted if w not in text]
print("missing:", missing)
sys.exit(1 if missing else 0)
PY
! grep -q "improper command pipelining" "$POSTFIX_DIR/maillog" || fail "Postfix saw improper pipelining"
echo "postfix-upstream: PASS — one pipelined transaction to Postfix $(postconf -h mail_version); refused recipient failed with its reply; NOTIFY, ORCPT, RET and ENVID kept"
