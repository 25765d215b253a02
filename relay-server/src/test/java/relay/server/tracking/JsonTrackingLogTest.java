package relay.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;
import relay.core.tracking.TrackingEvent;

class JsonTrackingLogTest {

  private static final Instant AT = Instant.parse("2026-03-01T08:00:00Z");

  @Test
  void queuedNotificationIsOneLineNamingBothMessagesItsTargetAndTheRecipientsConcerned() {
    String line = JsonTrackingLog.json(new TrackingEvent.DsnQueued(
        AT, new MessageId("M1"), new MessageId("N1"), "failed",
        MailPath.parse("scanner@corp.example"),
        List.of(MailPath.parse("gone@partner.example"), MailPath.parse("lost@partner.example"))));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"dsn-queued\",\"id\":\"M1\","
        + "\"notification\":\"N1\",\"action\":\"failed\",\"to\":\"" + MailPath.parse("scanner@corp.example") + "\","
        + "\"recipients\":[\"" + MailPath.parse("gone@partner.example") + "\",\""
        + MailPath.parse("lost@partner.example") + "\"]}");
  }

  @Test
  void deliveryWritesTheReplyAndTheHopAsSeparateFields() {
    UpstreamHop hop = new UpstreamHop("smtp.office365.com", "2001:db8::25",
        new UpstreamHop.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", "smtp.office365.com"), "hr@contoso.com");
    SmtpReply reply = new SmtpReply(250, EnhancedStatus.parse("2.0.0"), List.of("OK <id@x> [Hostname=AM0P]", "queued"));

    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M1"), "m365",
        MailPath.parse("a@fabrikam.com"), TrackingEvent.Result.DELIVERED, new AttemptReport.Replied(reply, hop), AT));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"delivered\",\"id\":\"M1\","
        + "\"connector\":\"m365\",\"recipient\":\"" + MailPath.parse("a@fabrikam.com") + "\","
        + "\"code\":250,\"status\":\"2.0.0\",\"reply\":\"OK <id@x> [Hostname=AM0P] / queued\","
        + "\"cause\":null,\"reason\":null,"
        + "\"remote_host\":\"smtp.office365.com\",\"remote_ip\":\"2001:db8::25\",\"login\":\"hr@contoso.com\","
        + "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"verified\":\"smtp.office365.com\"}}");
  }

  @Test
  void replyWithoutEnhancedStatusHasANullStatusNotAMadeUpOne() {
    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M1"), "partner",
        MailPath.parse("b@partner.example"), TrackingEvent.Result.DEFERRED,
        new AttemptReport.Replied(SmtpReply.of(421, null, "Service \"busy\""), UpstreamHop.plain("mx", "192.0.2.1")), AT));

    assertThat(line).contains(",\"code\":421,\"status\":null,\"reply\":\"Service \\\"busy\\\"\",")
        .endsWith(",\"remote_host\":\"mx\",\"remote_ip\":\"192.0.2.1\",\"login\":null,\"tls\":null}");
  }

  @Test
  void localFailureWritesItsCauseAndReasonAndNoReply() {
    String line = JsonTrackingLog.json(new TrackingEvent.Delivery(AT, new MessageId("M2"), "partner",
        MailPath.parse("b@partner.example"), TrackingEvent.Result.DEFERRED,
        new AttemptReport.Local(LocalCause.TLS_FAILED, "mx.partner.example:25: certificate expired on 2026-01-01"), AT));

    assertThat(line).isEqualTo("{\"at\":\"2026-03-01T08:00:00Z\",\"event\":\"deferred\",\"id\":\"M2\","
        + "\"connector\":\"partner\",\"recipient\":\"" + MailPath.parse("b@partner.example") + "\","
        + "\"code\":null,\"status\":null,\"reply\":null,"
        + "\"cause\":\"tls-failed\",\"reason\":\"mx.partner.example:25: certificate expired on 2026-01-01\","
        + "\"remote_host\":null,\"remote_ip\":null,\"login\":null,\"tls\":null}");
  }
}
