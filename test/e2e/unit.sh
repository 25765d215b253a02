#!/usr/bin/env bash
# The systemd unit as shipped: systemd-analyze accepts it (offline) and rates its exposure 2.0 or
# lower; it reloads with SIGHUP, treats the JVM's SIGTERM exit (143) as a clean stop, and creates
# files without world access (UMask=0027).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init unit 120 "$@"

UNIT=$E2E_ROOT/systemd/relay.service
command -v systemd-analyze > /dev/null || fail "systemd-analyze is missing (Debian package systemd)"
systemd-analyze verify --man=no "$UNIT" > "$E2E_TMP/verify.log" 2>&1 || true
# Only the unit's own syntax counts here: the binary it names is not installed on a test machine.
if grep -v -e 'is not executable' -e 'No such file' -e 'relay.service: Command' "$E2E_TMP/verify.log" \
    | grep -qi 'relay.service'; then
  fail "systemd-analyze verify: $(cat "$E2E_TMP/verify.log")"
fi
score=$(systemd-analyze security --offline=true --no-pager "$UNIT" 2>&1 \
  | sed -n 's/.*Overall exposure level for relay.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no exposure level from systemd-analyze security"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure level $score is above 2.0"
for line in 'ExecReload=/bin/kill -HUP $MAINPID' 'SuccessExitStatus=143' 'UMask=0027' 'StateDirectory=relay'; do
  grep -qxF "$line" "$UNIT" || fail "the unit lacks '$line'"
done
echo "unit: PASS — systemd-analyze exposure $score (at most 2.0), reload by SIGHUP, exit 143 is success, UMask=0027"
