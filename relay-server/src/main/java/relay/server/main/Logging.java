package relay.server.main;

import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Start-up logging chores kept out of {@link Main}: the JUL bridge (Angus logs through JUL) and the first lines. */
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
}
