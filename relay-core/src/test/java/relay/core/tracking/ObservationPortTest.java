package relay.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import relay.core.delivery.AttemptReport;
import relay.core.dsn.DsnAction;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.RelayMetrics;
import relay.core.metrics.SmtpStage;
import relay.core.metrics.TrackedMetrics;
import relay.core.reply.SmtpReply;

/**
 * One event recorded once reaches every observer: tracking.log's writer, the metrics and relay.log;
 * an observer that fails does not keep it from the others.
 */
class ObservationPortTest {

  private static final Instant RECEIVED = Instant.parse("2026-03-01T08:00:00Z");
  private static final Instant AT = RECEIVED.plusSeconds(90);

  private final Logger relayLog = (Logger) LoggerFactory.getLogger("relay.core.schedule.DeliveryAttempt");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final List<String> counted = new ArrayList<>();
  private final RelayMetrics metrics = new RelayMetrics() {
    @Override
    public void connection(String listener, String connector, boolean accepted) {}

    @Override
    public void messageAccepted(String connector, long bytes) {}

    @Override
    public void messageRejected(SmtpStage stage, int code) {}

    @Override
    public void deliveryAttempt(String connector, AttemptResult result) {
      counted.add(connector + " " + result.label());
    }

    @Override
    public void deliveryDelay(String connector, Duration delay) {
      counted.add(connector + " delay " + delay.toSeconds() + "s");
    }

    @Override
    public void dsnQueued(DsnAction action) {
      counted.add("dsn " + action.fieldValue());
    }
  };

  @BeforeEach
  void listen() {
    lines.start();
    relayLog.addAppender(lines);
    relayLog.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() {
    relayLog.detachAppender(lines);
    relayLog.setLevel(null);
  }

  @Test
  void eachEventReachesTheTrackingLogTheMetricsAndRelayLogEvenPastAFailingObserver() {
    List<TrackingEvent> tracked = new ArrayList<>();
    TrackingLog port = TrackingLog.all(List.of(
        event -> {
          throw new IllegalStateException("disk gone");
        },
        tracked::add, new TrackedMetrics(metrics), new DeliveryLogLines()));

    port.record(delivery("a@fabrikam.com", TrackingEvent.Result.DELIVERED, SmtpReply.of(250, "2.0.0", "queued")));
    port.record(delivery("b@fabrikam.com", TrackingEvent.Result.FAILED, SmtpReply.of(550, "5.1.1", "no such user")));
    port.record(new TrackingEvent.DsnQueued(AT, new MessageId("M1"), new MessageId("M2"), "failed",
        MailPath.parse("printer@contoso.com"), List.of(MailPath.parse("b@fabrikam.com"))));

    assertThat(tracked).hasSize(3);
    assertThat(counted).containsExactly("m365 delivered", "m365 delay 90s", "m365 permanent", "dsn failed");
    assertThat(lines.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage()).containsExactly(
        "DEBUG message M1: a@fabrikam.com delivered via 'm365': 250 2.0.0 queued",
        "WARN message M1: b@fabrikam.com FAILED permanently via 'm365': 550 5.1.1 no such user");
  }

  private static TrackingEvent.Delivery delivery(String to, TrackingEvent.Result result, SmtpReply reply) {
    return new TrackingEvent.Delivery(AT, new MessageId("M1"), "m365", MailPath.parse("app@contoso.com"), MailPath.parse(to), result,
        new AttemptReport.Replied(reply), RECEIVED);
  }
}
