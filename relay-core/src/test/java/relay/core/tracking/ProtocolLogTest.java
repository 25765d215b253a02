package relay.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

class ProtocolLogTest {

  private final Logger logger = new LoggerContext().getLogger("relay.protocol");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  ProtocolLogTest() {
    appender.start();
    logger.addAppender(appender);
  }

  @Test
  void recordIsSessionConnectorEndpointsDirectionAndTheLineVerbatim() {
    new ProtocolLog(logger).line("s1", "lan", "10.0.0.1:25", "10.0.0.9:40000", ProtocolLog.Direction.IN,
        "MAIL FROM:<{}@example.com> SIZE=100");

    assertThat(appender.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
        .isEqualTo("s1 lan 10.0.0.1:25 10.0.0.9:40000 IN MAIL FROM:<{}@example.com> SIZE=100");
  }

  @Test
  void controlCharactersAreEscapedSoOneLineStaysOneRecord() {
    new ProtocolLog(logger).line("s1", "lan", "-", "mx:25", ProtocolLog.Direction.OUT, "RCPT TO:<a@b>\r\nQUIT\u0000");

    assertThat(appender.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
        .isEqualTo("s1 lan - mx:25 OUT RCPT TO:<a@b>\\x0d\\x0aQUIT\\x00");
  }
}
