package relay.server.main;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGHUP while the relay starts. Until the {@link ConfigReloader} installs its handler, the JVM's
 * default for SIGHUP is to exit: a reload sent as soon as the listener answers (a supervisor's
 * {@code systemctl reload}, a script that edits the configuration after start) would end a relay that
 * is still setting up its admin endpoint, before its shutdown hook exists. This handler, installed
 * first thing, remembers the signal instead; the caller reloads once the reloader runs.
 *
 * <p>Threading: the flag is set on the JVM's signal thread and read by the starting thread.
 */
final class StartupHangUp {

  private final AtomicBoolean seen = new AtomicBoolean();

  private StartupHangUp() {}

  /** Installs the handler (where the platform has SIGHUP) and returns what it remembers. */
  static StartupHangUp install() {
    StartupHangUp hangUp = new StartupHangUp();
    try {
      // Nothing is logged here: the signal may come before logging is configured.
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> hangUp.seen.set(true));
    } catch (IllegalArgumentException e) {
      // no SIGHUP on this platform
    }
    return hangUp;
  }

  /** Whether a SIGHUP arrived since {@link #install}. */
  boolean seen() {
    return seen.get();
  }
}
