package relay.server.main;

import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Life-cycle logging chores kept out of {@link Main}: the JUL bridge (Angus logs through JUL), the
 * first lines, the last lines of a stop, and SIGHUP on the embedded default.
 */
final class Logging {

  private Logging() {}

  static void bridgeJavaUtilLogging() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }

  static void ready(String description) {
    LoggerFactory.getLogger(RelayServer.class).info(description);
  }

  static void startupFailure(Exception e) {
    LoggerFactory.getLogger(RelayServer.class).error("could not start", e);
  }

  /** A stop began (SIGTERM, SIGINT, or the end of the JVM): said before anything closes. */
  static void stopping() {
    LoggerFactory.getLogger(RelayServer.class).info("Relay stopping: no new sessions; queued mail stays on disk");
  }

  static void stopped() {
    LoggerFactory.getLogger(RelayServer.class).info("Relay stopped");
  }

  /** Writes out what the asynchronous appenders still hold and stops logging; the last call. */
  static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }

  /**
   * On the embedded default there is no file to reload: SIGHUP (which the JVM would answer by
   * stopping the process) is logged and otherwise ignored.
   *
   * @return the handler it replaced; empty when the platform has no SIGHUP
   */
  static java.util.Optional<sun.misc.SignalHandler> ignoreHangUp() {
    try {
      return java.util.Optional.of(sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> LoggerFactory
          .getLogger(RelayServer.class)
          .info("SIGHUP: running on the embedded default configuration; there is no file to reload")));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }
}
