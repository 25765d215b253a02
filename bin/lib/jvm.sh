# Sourced by both launchers: bin/relay in the repository and bin/relay in the distribution
# (relay-<version>.tar.gz, which ships this file as bin/lib/jvm.sh). Everything about how the JVM
# runs lives here once, so that a relay started from the repository and one started from an
# installed distribution behave the same; the launchers only say where the jars and the java are.
#
# relay_jvm_setup JAR ARCHIVE: sets the process up (umask, malloc arenas) and fills the array
# RELAY_JVM_ARGS with the options to give java before -cp. JAR is the relay-server jar (a
# class-data-sharing archive older than it is stale); ARCHIVE is where that archive goes.

relay_jvm_setup() {
  local jar=$1 archive=$2 defaults
  # JVM defaults for a small relay host (sized and measured for 2 cores): a bounded heap (messages
  # stream through the spool, never whole into memory; a 50 MiB message relays with -Xmx64m), the
  # serial collector (least CPU and memory overhead on one or two cores; young pauses stay in the low
  # milliseconds at this heap size), capped direct memory for Netty's buffers, and less C2 inlining
  # (InlineSmallCode 1000 instead of 2500: about 30 % less JIT CPU while a fresh relay warms up under
  # load, the same CPU per message once warm; FreqInlineSize 150 instead of 325: C2's compile time
  # over the first 60,000 messages 15-16 s -> 12-13 s, again the same CPU per message once warm;
  # both measured in docs/benchmark.md), and the native heap trimmed every 5 s
  # (TrimNativeHeapInterval: native memory the JVM had freed, such as the JIT compiler's working
  # memory, stayed resident in glibc's arena, 20-25 MiB of it under load; peak RSS with 1,000,000
  # queued was 253 MiB without, within 3 MiB of the 256 MiB budget; no cost in throughput,
  # docs/benchmark.md "Session 12"). RELAY_JAVA_OPTS is appended, so its -Xmx etc. win; when it
  # names a collector, ours is left out (two would conflict).
  # RELAY_JAVA_DEFAULT_OPTS replaces the whole default set (set it empty to get the JVM's own defaults).
  #
  # -XX:+ExitOnOutOfMemoryError: the first OutOfMemoryError the JVM raises ends the process (exit
  # code 3), even one that code catches and swallows, so a supervisor (systemd Restart=on-failure)
  # starts a fresh relay instead of a zombie holding the ports. Nothing accepted is lost: a 250 is
  # only sent once the message is on disk. Not -XX:+CrashOnOutOfMemoryError: it aborts with an
  # hs_err file and a core dump, a heap-sized file per crash (the usual cause, a full disk, would get
  # worse on every restart) that holds message content and credentials. Not
  # -XX:+HeapDumpOnOutOfMemoryError by default, for the same two reasons; to diagnose a leak, add it
  # for a while through RELAY_JAVA_OPTS with -XX:HeapDumpPath=DIR on a disk with room. (Errors thrown
  # by Java code rather than the JVM, such as "Direct buffer memory", are not covered by the flag:
  # relay.server.main.FatalErrorHandler halts the process on any such error that ends a thread.)
  defaults=${RELAY_JAVA_DEFAULT_OPTS-"-Xms32m -Xmx128m -XX:+UseSerialGC -XX:MaxDirectMemorySize=64m -XX:InlineSmallCode=1000 -XX:FreqInlineSize=150 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError"}
  if [[ " ${RELAY_JAVA_OPTS:-} " =~ \ -XX:[+]Use[A-Za-z]+GC\  ]]; then
    defaults=$(sed -E 's/-XX:[+]Use[A-Za-z]+GC//g' <<<"$defaults")
  fi

  # glibc gives threads that allocate natively arenas of their own (up to 8 per core); the JDK's file
  # I/O on many virtual-thread carriers then keeps native memory that is rarely returned. Two arenas
  # suffice for a relay (peak RSS with 100,000 queued: 171 MiB, docs/benchmark.md "Backlog").
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  # Spool, drop folders and logs hold mail: whatever Relay creates is not readable by other users
  # (RELAY_UMASK overrides; the systemd unit sets UMask=0027 too).
  umask "${RELAY_UMASK:-0027}"

  # Netty's native epoll transport loads a JNI library: allowed explicitly, so the JDK does not warn.
  # (The distribution's Java runtime has its base class-data-sharing archive dumped with this same
  # option, relay-dist/pom.xml: with a different value the JVM drops part of that archive.)
  RELAY_JVM_ARGS=(--enable-native-access=ALL-UNNAMED)
  relay_cds_options "$jar" "$archive"
  # Unquoted on purpose: both hold several options separated by spaces.
  # shellcheck disable=SC2206
  RELAY_JVM_ARGS+=($defaults ${RELAY_JAVA_OPTS:-})
}

# Class data sharing: the JVM keeps the classes it loaded in an archive (ARCHIVE) and maps it at the
# next start: SMTP answers about a third sooner (2.6-3.0 s -> 2.0 s to the first 220 on a 2-core
# machine). Appends its options to RELAY_JVM_ARGS, or nothing when the archive cannot be written.
relay_cds_options() {
  local jar=$1 archive=$2
  # An archive older than the jar is not rewritten by the JVM (seen with JDK 25: it kept the stale one
  # and started a second slower): remove it, the JVM writes a new one.
  if [ -f "$archive" ] && [ "$jar" -nt "$archive" ]; then rm -f "$archive" 2>/dev/null || true; fi
  # A JVM asked to write an archive where it cannot (a read-only install directory, a missing
  # directory) prints a page of errors when it exits and exits with 1 instead of 143 after SIGTERM,
  # which a supervisor takes for a failure. So the archive is used only where it can be written; the
  # probe creates the file the JVM would create anyway, and removes it again.
  if [ -e "$archive" ]; then
    [ -f "$archive" ] && [ -w "$archive" ] || return 0
  else
    { : > "$archive"; } 2>/dev/null || return 0
    rm -f "$archive"
  fi
  # -Xlog:cds=off: the JVM reports every class it cannot archive (about a thousand lines from the
  # signed Bouncy Castle jars on a first start) and option differences from the base archive; none
  # of it needs an operator, and it would fill the journal after every upgrade.
  RELAY_JVM_ARGS+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$archive" -Xlog:cds=off,cds+dynamic=off)
}
