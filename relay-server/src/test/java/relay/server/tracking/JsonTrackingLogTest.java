package relay.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.tracking.TrackingEvent;

class JsonTrackingLogTest {

  @Test
  void queuedNotificationIsOneLineNamingBothMessagesItsTargetAndTheRecipientsConcerned() {
    String line = JsonTrackingLog.json(new TrackingEvent.DsnQueued(
        Instant.parse("2026-03-01T08:00:00Z"), new MessageId("M1"), new MessageId("N1"), "failed",
        MailPath.parse("scanner@corp.example"),
        List.of(MailPath.parse("gone@partner.example"), MailPath.parse("lost@partner.example"))));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"dsn-queued\",\"id\":\"M1\","
        + "\"notification\":\"N1\",\"action\":\"failed\",\"to\":\"" + MailPath.parse("scanner@corp.example") + "\","
        + "\"recipients\":[\"" + MailPath.parse("gone@partner.example") + "\",\""
        + MailPath.parse("lost@partner.example") + "\"]}");
  }
}
