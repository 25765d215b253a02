# Sourced by bin/relay and bin/test: finds a JDK >= 25 and exports JAVA_HOME for it.
# Order: $JAVA_HOME, the `java` on PATH, then JDKs installed under /usr/lib/jvm (Debian, Temurin
# packages) and /opt. Prints what is missing and fails when none is found.

relay_java_major() { # prints the feature version of the java binary $1, or nothing
  # A JDK's release file names its version: reading it is instant, starting a JVM to ask is not.
  local release
  release="$(dirname "$(dirname "$1")")/release"
  if [ -r "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

relay_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(relay_java_major "$c/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  echo "relay: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt)." >&2
  echo "relay: install one (e.g. a Temurin 25 JDK) or set JAVA_HOME to it." >&2
  return 1
}
