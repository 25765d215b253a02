package relay.server.main;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;
import relay.config.model.LoggingConfig;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Life-cycle logging chores kept out of {@link Main}: the JUL bridge (Angus logs through JUL), the
 * first lines, the last lines of a stop, and SIGHUP on the embedded default.
 */
final class Logging {

  private Logging() {}

  /**
   * Switches logback from its console-only start (logback.xml) to the running relay's logging
   * (relay-logback.xml: relay.log and the console), with relay.log's place and limits as system
   * properties. Logback's total counts only the rolled files, so the current file's room is taken
   * off it. Called once, by the command that runs the relay, before it logs anything of note.
   */
  static void configure(LoggingConfig logging) {
    System.setProperty("relay.log.dir", logging.directory().toString());
    System.setProperty("relay.log.maxFileSize", Long.toString(logging.maxFileSize()));
    System.setProperty("relay.log.totalSizeCap", Long.toString(Math.max(1, logging.relayLogTotal() - logging.maxFileSize())));
    System.setProperty("relay.log.maxHistory", Integer.toString(logging.keepDays()));
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(Logging.class.getResource("/relay-logback.xml"));
    } catch (JoranException e) {
      throw new IllegalStateException("relay-logback.xml could not be loaded", e);
    }
  }

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
