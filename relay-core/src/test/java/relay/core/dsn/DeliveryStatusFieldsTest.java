package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.dsn.DsnFixtures.*;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.reply.SmtpReply;

/**
 * The machine-readable block of a notification (RFC 3464 section 2.3) for the two cases that
 * matter most: an upstream that refused the recipient, and an upstream that could not be reached.
 */
class DeliveryStatusFieldsTest {

  private static final Instant AT = after(Duration.ofMinutes(2));

  private static String fields(RecipientReport recipient) {
    DeliveryStatusNotification dsn = builder().build(report(envelope(), recipient), AT).orElseThrow();
    return StatusFields.render(dsn);
  }

  @Test
  void upstreamRefusalNamesTheRemoteMtaAndQuotesItsReplyWithItsStatus() {
    AttemptReport refused = new AttemptReport.Replied(SmtpReply.of(550, "5.1.1", "<carol@example.org>: User unknown"),
        new UpstreamHop("mx1.example.org", "203.0.113.25", new UpstreamHop.Tls("TLSv1.3", "TLS_AES_128_GCM_SHA256", null),
            null));

    assertThat(fields(RecipientReport.failed(CAROL, refused, AT))).contains("""
        Final-Recipient: rfc822; carol@example.org\r
        Action: failed\r
        Status: 5.1.1\r
        Remote-MTA: dns; mx1.example.org\r
        Diagnostic-Code: smtp; 550 5.1.1 <carol@example.org>: User unknown\r
        Last-Attempt-Date: Mon, 23 Nov 2026 08:17:30 +0000\r
        """);
  }

  @Test
  void refusedConnectionHasNoRemoteMtaAndItsOwnStatusAndDiagnosticType() {
    AttemptReport refused = new AttemptReport.Local(LocalCause.CONNECTION_FAILED,
        "mx1.example.org:25: Connection refused; mx2.example.org:25: Connection refused");

    String fields = fields(RecipientReport.expired(CAROL, refused, AT));

    assertThat(fields).contains("""
        Final-Recipient: rfc822; carol@example.org\r
        Action: failed\r
        Status: 4.4.1\r
        Diagnostic-Code: X-Relay; mx1.example.org:25: Connection refused;\r
         mx2.example.org:25: Connection refused\r
        """).doesNotContain("Remote-MTA");
  }

  @Test
  void reasonOfAConnectionThatBrokeOffNamesNoRemoteMtaEither() {
    AttemptReport lost = new AttemptReport.Local(LocalCause.CONNECTION_LOST, "no progress from the upstream for 30s",
        UpstreamHop.plain("mx1.example.org", "203.0.113.25"));

    assertThat(fields(RecipientReport.expired(CAROL, lost, AT)))
        .contains("Status: 4.4.2\r\n")
        .contains("Diagnostic-Code: X-Relay; no progress from the upstream for 30s\r\n")
        .doesNotContain("Remote-MTA");
  }
}
