#!/usr/bin/env bash
# The distribution as an operator gets it: relay-VERSION.tar.gz (built by ./mvnw package or verify,
# here too when missing or older than the sources), unpacked into an empty directory whose path
# has a space, run through a symbolic link, with an empty environment: a PATH of only the few tools
# the launcher uses, so no java, javac, mvn or mvnw can be found (checked). It must:
#   - hold relay-VERSION/ with bin/, lib/, runtime/, conf/, systemd/, docs/, README.md, and no build
#     tooling; its launcher never names Maven;
#   - answer --help and check-config --config with the bundled runtime;
#   - relay a message (swaks) into its drop folder; bin/health says 200; SIGTERM ends it with 143
#     (the JVM's clean stop) and a 'Relay stopped' line; nothing it wrote is readable by others;
#     the install directory stays untouched; no JVM warnings (class-data sharing is quiet);
#   - refuse to start on the container configuration until RELAY_CLIENT_NETWORK is set, then run on
#     it (every port from the environment) and relay a message through submission with STARTTLS;
#   - match the Dockerfile: every /opt/relay path it names exists in the tarball, the tarball is
#     what its COPY and .dockerignore let in, its EXPOSEd ports are container.conf's, and its
#     HEALTHCHECK command reports the running relay healthy and the stopped one unhealthy;
#   - match the systemd unit: the tarball carries it unchanged, and systemd-analyze, with the
#     tarball unpacked as /opt/relay in a scratch root, finds what its ExecStart runs.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
e2e_init dist 600 "$@"

RUN_ID=$$-$RANDOM

# --- the tarball: built by Maven; rebuilt here when anything it is made from is newer
newest_tarball() { ls -t "$E2E_ROOT"/relay-dist/target/relay-*.tar.gz 2>/dev/null | head -n1 || true; }
TARBALL=$(newest_tarball)
if [ -n "$TARBALL" ]; then
  stale=$(cd "$E2E_ROOT" && find relay-core/src/main relay-config/src/main relay-server/src/main relay-dist/src \
    relay-*/pom.xml pom.xml bin/lib/jvm.sh conf systemd docs README.md \
    -type f -newer "$TARBALL" -print -quit)
fi
if [ -z "$TARBALL" ] || [ -n "${stale:-}" ]; then
  e2e_log "building the distribution (${stale:-no tarball yet})"
  (. "$E2E_ROOT/bin/lib/jdk.sh" && relay_find_jdk && cd "$E2E_ROOT" \
    && ./mvnw -B -ntp -q -DskipTests package) > "$E2E_TMP/build.log" 2>&1 \
    || fail "./mvnw package failed: $(tail -n 30 "$E2E_TMP/build.log")"
  TARBALL=$(newest_tarball)
fi
[ -n "$TARBALL" ] || fail "no relay-dist/target/relay-*.tar.gz after the build"
NAME=$(basename "$TARBALL" .tar.gz)
VERSION=${NAME#relay-}

# --- layout
tar -tzf "$TARBALL" > "$E2E_TMP/contents"
outside=$(grep -v "^$NAME/" "$E2E_TMP/contents" | head -3 || true)
[ -z "$outside" ] || fail "entries outside $NAME/: $outside"
for path in bin/relay bin/health bin/lib/jvm.sh lib/relay-server.jar runtime/bin/java runtime/release \
    runtime/lib/server/classes.jsa conf/relay.conf conf/container.conf conf/examples/rules.conf \
    systemd/relay.service README.md docs/install.md docs/configuration.md; do
  grep -qxF "$NAME/$path" "$E2E_TMP/contents" || fail "the tarball lacks $NAME/$path"
done
tooling=$(grep -E '(^|/)(mvnw|mvnw\.cmd|pom\.xml|\.mvn/.*|[^/]+\.java)$' "$E2E_TMP/contents" | head -3 || true)
[ -z "$tooling" ] || fail "build tooling or sources in the tarball: $tooling"

PARENT="$E2E_TMP/opt dir"
mkdir -p "$PARENT"
tar -xzf "$TARBALL" -C "$PARENT"
DIST="$PARENT/$NAME"
[ "$(ls "$PARENT")" = "$NAME" ] || fail "unpacking made more than $NAME/: $(ls "$PARENT")"
if grep -nwE 'mvnw|mvn|maven' "$DIST/bin/relay" "$DIST/bin/lib/jvm.sh" "$DIST/bin/health"; then
  fail "a launcher names Maven"
fi
grep -q "^JAVA_VERSION=\"2[5-9]\|^JAVA_VERSION=\"[3-9][0-9]" "$DIST/runtime/release" \
  || fail "the bundled runtime is not Java 25 or newer: $(grep JAVA_VERSION "$DIST/runtime/release")"
MODULES=$(sed -n 's/^MODULES="\(.*\)"/\1/p' "$DIST/runtime/release")
for m in java.base java.naming java.net.http jdk.httpserver jdk.unsupported jdk.charsets jdk.naming.dns; do
  [[ " $MODULES " == *" $m "* ]] || fail "the runtime lacks module $m (has: $MODULES)"
done
touch "$E2E_TMP/unpacked" # nothing below may write into the install directory
sleep 1                   # (so that -newer tells a later write from the unpacking)

# --- an environment with no Java and no Maven: PATH holds only what the launchers use
CLEAN_BIN=$E2E_TMP/clean-bin
mkdir -p "$CLEAN_BIN"
for tool in bash env dirname readlink sed rm; do
  ln -s "$(command -v "$tool")" "$CLEAN_BIN/$tool"
done
clean() { env -i PATH="$CLEAN_BIN" HOME="$E2E_TMP" "$@"; }
for tool in java javac mvn mvnw jlink; do
  if clean bash -c "command -v $tool"; then fail "$tool is on the clean PATH"; fi
done
# Reached through a link, as /usr/local/bin/relay -> /opt/relay/bin/relay would be.
mkdir -p "$E2E_TMP/usr-local-bin"
ln -s "$DIST/bin/relay" "$E2E_TMP/usr-local-bin/relay"
RELAY=$E2E_TMP/usr-local-bin/relay

# --- help, version, check-config
cd "$E2E_TMP"
clean "$DIST/bin/relay" --help > "$E2E_TMP/help.log" 2>&1 || fail "bin/relay --help failed: $(cat "$E2E_TMP/help.log")"
grep -q '^Usage: relay' "$E2E_TMP/help.log" || fail "no usage from --help: $(cat "$E2E_TMP/help.log")"
version=$(clean "$RELAY" --version 2>&1) || fail "relay --version through the link failed: $version"
# The relay names the version the tarball carries (0.1.0 for relay-0.1.0-SNAPSHOT too).
[[ $version == Relay\ * && $VERSION == "${version#Relay }"* ]] \
  || fail "relay --version says '$version', the tarball is version $VERSION"
# An archive location that cannot be written is skipped without a word (and the exit stays 0).
out=$(clean RELAY_CDS_ARCHIVE=/nonexistent/dir/relay.jsa "$RELAY" --version 2>&1) \
  || fail "an unwritable class-data-sharing archive made --version fail: $out"
[ "$out" = "$version" ] || fail "an unwritable archive location was not skipped silently: $out"

SMTP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
mkdir -p "$E2E_TMP/conf"
CONF=$E2E_TMP/conf/relay.conf
cat > "$CONF" <<EOF
relay {
  hostname = "dist.test"
  listeners = [ { name = "default", address = "127.0.0.1", port = $SMTP_PORT,
    inbound-connectors = [ { name = "loopback", client-networks = ["127.0.0.0/8"], relay = true } ] } ]
  spool { min-free-space = 10MiB }
  admin { port = $ADMIN_PORT }
}
EOF
# The data directories exist before the first start, as systemd's StateDirectory and the image's
# volume make them: the class-data-sharing archive then goes there from the first run on.
HOME1=$E2E_TMP/home
HOME2=$E2E_TMP/container-home
mkdir -m 0750 "$HOME1" "$HOME2"
clean RELAY_HOME="$HOME1" "$RELAY" check-config --config "$CONF" > "$E2E_TMP/check-config.log" 2>&1 \
  || fail "check-config --config refused the test configuration: $(cat "$E2E_TMP/check-config.log")"
grep -q "valid" "$E2E_TMP/check-config.log" || fail "check-config did not say valid: $(cat "$E2E_TMP/check-config.log")"

# start_dist_relay LOG ENV...: starts the relay through the link in the clean environment.
start_dist_relay() {
  RELAY_LOG=$1
  shift
  # env itself in the background, not the clean function: env and the launcher exec, so $! is the
  # JVM that SIGTERM must reach (a backgrounded function would be a subshell in between).
  env -i PATH="$CLEAN_BIN" HOME="$E2E_TMP" "$@" "$RELAY" --config "$CONF" > "$RELAY_LOG" 2>&1 &
  RELAY_PID=$!
  e2e_track "$RELAY_PID"
  wait_for 120 "the relay's 'Relay ready' line" relay_ready_or_dead
  [ "$(readlink "/proc/$RELAY_PID/exe")" = "$DIST/runtime/bin/java" ] \
    || fail "the relay runs $(readlink "/proc/$RELAY_PID/exe"), not the bundled runtime's java"
}

# stop_dist_relay: SIGTERM, then the exit status must be the JVM's clean 143, with a stop line.
stop_dist_relay() {
  local rc=0
  kill -TERM "$RELAY_PID"
  wait_for 30 "the relay to stop after SIGTERM" eval '! kill -0 "$RELAY_PID" 2>/dev/null'
  wait "$RELAY_PID" || rc=$?
  [ "$rc" = 143 ] || fail "the relay exited with $rc after SIGTERM, not 143"
  grep -q 'Relay stopped' "$RELAY_LOG" || fail "no 'Relay stopped' line after SIGTERM"
  # JVM lines look like "[0.011s][warning][cds] ...": class-data sharing must stay quiet.
  if grep -E '^\[[0-9.]+s\]\[(warning|error)' "$RELAY_LOG" | head -3 | grep .; then
    fail "the JVM printed warnings or errors (above)"
  fi
}

# --- run: a message into the drop folder
start_dist_relay "$E2E_TMP/relay-1.log" RELAY_HOME="$HOME1"
wait_port "$SMTP_PORT" 10
grep -q "Relay ready: SMTP on 127.0.0.1:$SMTP_PORT" "$RELAY_LOG" || fail "unexpected ready line: $(grep 'Relay ready' "$RELAY_LOG")"
swaks --server 127.0.0.1 --port "$SMTP_PORT" --from app@dist.test --to someone@example.org \
  --header "Subject: dist-$RUN_ID" --body "from the distribution" > "$E2E_TMP/swaks-1.log" 2>&1 \
  || fail "swaks failed: $(tail -n 20 "$E2E_TMP/swaks-1.log")"
dropped() { grep -lF "dist-$RUN_ID" "$1"/drop/*.eml > /dev/null 2>&1; }
wait_for 30 "the message in $HOME1/drop" dropped "$HOME1"
health=$("$DIST/bin/health" "$ADMIN_PORT") || fail "bin/health said unhealthy: $health"
grep -q '^ok ' <<< "$health" || fail "bin/health printed no checks: $health"
"$DIST/bin/health" --ready "$ADMIN_PORT" > /dev/null || fail "bin/health --ready said not ready"
# check-config on the running relay's host: its ports are held by that relay, which is fine.
clean RELAY_HOME="$HOME1" "$RELAY" check-config --config "$CONF" > "$E2E_TMP/check-running.log" 2>&1 \
  || fail "check-config refused the running relay's file: $(cat "$E2E_TMP/check-running.log")"
stop_dist_relay
[ -s "$HOME1/relay.jsa" ] || fail "no class-data-sharing archive in RELAY_HOME after a run"

# --- the container configuration, as the Dockerfile installs it (/etc/relay/relay.conf)
mkdir -p "$E2E_TMP/etc-relay"
CONF=$E2E_TMP/etc-relay/relay.conf
cp "$DIST/conf/container.conf" "$CONF"
rc=0
clean RELAY_HOME="$HOME2" "$RELAY" --config "$CONF" > "$E2E_TMP/unset.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "without RELAY_CLIENT_NETWORK the container configuration gave exit $rc, not 2 (invalid): $(cat "$E2E_TMP/unset.log")"
grep -q 'client-networks: must name at least one network' "$E2E_TMP/unset.log" \
  || fail "no client-networks problem without RELAY_CLIENT_NETWORK: $(cat "$E2E_TMP/unset.log")"

SMTP_PORT=$(free_port)
SUBMISSION_PORT=$(free_port)
SMTPS_PORT=$(free_port)
ADMIN_PORT=$(free_port)
CONTAINER_ENV=(RELAY_HOME="$HOME2" RELAY_CDS_ARCHIVE="$HOME1/relay.jsa" RELAY_CLIENT_NETWORK=127.0.0.0/8
  RELAY_HOSTNAME=relay.dist.test RELAY_SMTP_PORT="$SMTP_PORT" RELAY_SUBMISSION_PORT="$SUBMISSION_PORT"
  RELAY_SMTPS_PORT="$SMTPS_PORT" RELAY_ADMIN_PORT="$ADMIN_PORT")
start_dist_relay "$E2E_TMP/relay-2.log" "${CONTAINER_ENV[@]}"
for port in "$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT"; do wait_port "$port" 10; done
swaks --server 127.0.0.1 --port "$SUBMISSION_PORT" --tls --from app@dist.test --to someone@example.org \
  --header "Subject: dist-$RUN_ID" --body "through submission" > "$E2E_TMP/swaks-2.log" 2>&1 \
  || fail "swaks over submission with STARTTLS failed: $(tail -n 20 "$E2E_TMP/swaks-2.log")"
wait_for 30 "the message in $HOME2/drop" dropped "$HOME2"

# --- the Dockerfile against this tarball
DOCKERFILE=$E2E_ROOT/Dockerfile
grep -qF 'COPY relay-dist/target/relay-*.tar.gz' "$DOCKERFILE" || fail "the Dockerfile does not COPY relay-dist/target/relay-*.tar.gz"
[[ $TARBALL == "$E2E_ROOT"/relay-dist/target/relay-*.tar.gz ]] || fail "$TARBALL is not what the Dockerfile copies"
grep -qxF '!relay-dist/target/relay-*.tar.gz' "$E2E_ROOT/.dockerignore" || fail ".dockerignore keeps the tarball out"
UNIT=$DIST/systemd/relay.service
cmp -s "$UNIT" "$E2E_ROOT/systemd/relay.service" || fail "the tarball's relay.service differs from systemd/relay.service"
for file in "$DOCKERFILE" "$UNIT"; do
  for path in $(grep -oE '/opt/relay/[A-Za-z0-9._/-]+' "$file" | sort -u); do
    [ -e "$DIST/${path#/opt/relay/}" ] || fail "$(basename "$file") names $path, which the tarball lacks"
  done
done
exposed=$(sed -n 's/^EXPOSE //p' "$DOCKERFILE")
for port in $exposed; do
  grep -qE "^ *port = $port\$" "$DIST/conf/container.conf" || fail "EXPOSE $port is no default port of container.conf"
done
# HEALTHCHECK ... CMD ["/opt/relay/bin/health", ...]: run as written, /opt/relay being $DIST; the
# container's environment carries RELAY_ADMIN_PORT whenever container.conf's port is moved.
mapfile -t healthcheck < <(sed -n 's/^HEALTHCHECK .*CMD \(\[.*\]\)$/\1/p' "$DOCKERFILE" \
  | "$E2E_PYTHON" -c 'import json, sys; print("\n".join(json.loads(sys.stdin.read())))')
[ "${#healthcheck[@]}" -gt 0 ] || fail "no exec-form HEALTHCHECK CMD in the Dockerfile"
healthcheck[0]=$DIST/${healthcheck[0]#/opt/relay/}
clean RELAY_ADMIN_PORT="$ADMIN_PORT" "${healthcheck[@]}" > "$E2E_TMP/healthcheck.log" 2>&1 \
  || fail "the Dockerfile's HEALTHCHECK says unhealthy: $(cat "$E2E_TMP/healthcheck.log")"
stop_dist_relay
if clean RELAY_ADMIN_PORT="$ADMIN_PORT" "${healthcheck[@]}" > "$E2E_TMP/healthcheck-stopped.log" 2>&1; then
  fail "the HEALTHCHECK says healthy with the relay stopped"
fi

# --- the systemd unit, with this tarball as /opt/relay in a scratch root (E2E_TMP): systemd finds
# what ExecStart runs (it still misses /bin/kill and the system's targets there, which is fine)
if command -v systemd-analyze > /dev/null; then
  mkdir -p "$E2E_TMP/opt" "$E2E_TMP/etc/systemd/system"
  ln -s "../opt dir/$NAME" "$E2E_TMP/opt/relay"
  cp "$UNIT" "$E2E_TMP/etc/systemd/system/relay.service"
  systemd-analyze verify --root="$E2E_TMP" --man=no /etc/systemd/system/relay.service > "$E2E_TMP/verify.log" 2>&1 || true
  if grep -F '/opt/relay/bin/relay' "$E2E_TMP/verify.log"; then
    fail "systemd-analyze does not find the unit's ExecStart in the distribution (above)"
  fi
fi

# --- what the relay wrote is private; the install directory was not written to
readable=$(find "$HOME1" "$HOME2" -perm -o=r | head -5)
[ -z "$readable" ] || fail "readable by other users: $readable"
written=$(find "$DIST" -newer "$E2E_TMP/unpacked" | head -5)
[ -z "$written" ] || fail "written into the install directory: $written"

echo "dist: PASS — $NAME.tar.gz ($(( $(stat -c %s "$TARBALL") / 1024 / 1024 )) MiB) unpacked under a path with a space, run through a link without Java or Maven on PATH (runtime modules: ${MODULES// /,}): --help, check-config, a message into the drop folder, health 200, SIGTERM exit 143, private files; container.conf refuses to start without RELAY_CLIENT_NETWORK and relays through submission with it; the Dockerfile's paths, ports and HEALTHCHECK match"
