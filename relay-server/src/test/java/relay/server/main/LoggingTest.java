package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A relay on its embedded default answers SIGHUP with a log line instead of stopping. */
class LoggingTest {

  @Test
  void sighupOnTheEmbeddedDefaultIsLoggedAndTheProcessLivesOn() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(RelayServer.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    Optional<sun.misc.SignalHandler> previous = Logging.ignoreHangUp();
    try {
      assumeThat(previous).as("this platform has SIGHUP").isPresent();
      // Without the handler the JVM would end here, taking the test run with it.
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
          .redirectErrorStream(true).start();
      assertThat(kill.waitFor()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.stream()
          .anyMatch(e -> e.getFormattedMessage().contains("SIGHUP: running on the embedded default")));
    } finally {
      previous.ifPresent(handler -> sun.misc.Signal.handle(new sun.misc.Signal("HUP"), handler));
      logger.detachAppender(lines);
    }
  }
}
