package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static relay.core.dsn.DsnFixtures.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.envelope.BodyType;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;

/** Whether a notification is made, to whom, about whom, and how much of the original it returns. */
class DsnBuilderTest {

  private static final Instant NOW = after(Duration.ofMinutes(5));

  @Test
  void noNotificationForAMessageFromTheNullPath() {
    DeliveryReport report = report(envelope(MailPath.NULL, null, null),
        RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.1.1", "User unknown"), NOW));

    assertThat(builder().build(report, NOW)).isEmpty();
  }

  @Test
  void noNotificationForTheNullPathEvenWithAReportAddress() {
    DsnBuilder builder = new DsnBuilder(
        DsnSettings.DEFAULTS.withReportAddress(MailPath.parse("postmaster@office.example.com")), countingTokens());
    DeliveryReport report = report(envelope(MailPath.NULL, null, null),
        RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.1.1", "User unknown"), NOW));

    assertThat(builder.build(report, NOW)).isEmpty();
  }

  @Test
  void noNotificationWhenOnlyNotifyNeverRecipientsFailed() {
    DeliveryReport report = report(envelope(), RecipientReport.failed(BOB, reply(null, 550, "5.1.1", "User unknown"), NOW));

    assertThat(builder().build(report, NOW)).isEmpty();
  }

  @Test
  void recipientWithoutNotifyGetsFailureAndDelayReportsButNoSuccess() {
    assertThat(DsnBuilder.wantsReport(RecipientReport.failed(CAROL, null, NOW))).isTrue();
    assertThat(DsnBuilder.wantsReport(RecipientReport.delayed(CAROL, null, NOW, NOW.plusSeconds(60)))).isTrue();
    assertThat(DsnBuilder.wantsReport(RecipientReport.delivered(CAROL, reply(null, 250, "2.0.0", "Ok"), NOW))).isFalse();
  }

  @Test
  void notifyFailureOnlyGetsNoDelayReport() {
    DeliveryReport report = report(envelope(), RecipientReport.delayed(ALICE, null, NOW, NOW.plusSeconds(60)));

    assertThat(builder().build(report, NOW)).isEmpty();
  }

  @Test
  void successIsReportedOnlyWhenAskedFor() {
    Recipient wantsSuccess = new Recipient(MailPath.parse("dave@example.org"), notifyOn(DsnNotify.SUCCESS), null);
    Envelope envelope = new Envelope(SCANNER, MailParameters.NONE, List.of(wantsSuccess, CAROL), CLIENT, ARRIVAL);
    DeliveryReport report = new DeliveryReport(envelope, QUEUE_ID, HOST, List.of(
        RecipientReport.delivered(wantsSuccess, reply("mx.example.org", 250, "2.0.0", "Ok: queued as 4711"), NOW),
        RecipientReport.delivered(CAROL, reply("mx.example.org", 250, "2.0.0", "Ok: queued as 4712"), NOW)));

    DeliveryStatusNotification dsn = builder().build(report, NOW).orElseThrow();

    assertThat(dsn.report().recipients()).extracting(RecipientReport::recipient).containsExactly(wantsSuccess);
  }

  @Test
  void notificationIsSentFromTheNullPathToTheSenderAsSevenBit() {
    DeliveryStatusNotification dsn = builder()
        .build(report(envelope(), RecipientReport.failed(CAROL, null, NOW)), NOW).orElseThrow();

    assertThat(dsn.sender()).isEqualTo(MailPath.NULL);
    assertThat(dsn.recipient()).isEqualTo(SCANNER);
    assertThat(dsn.parameters()).isEqualTo(MailParameters.NONE);
  }

  @Test
  void nonAsciiTargetIsReachedWithSmtpUtf8AndTypedAsUtf8InTheReport() throws IOException {
    MailPath sender = MailPath.parse("j\u00f6rg@b\u00fcro.example");
    Envelope envelope = new Envelope(sender, new MailParameters(-1, BodyType.EIGHT_BIT_MIME, true, null, null),
        List.of(Recipient.of(MailPath.parse("m\u00fcller@example.org"))), CLIENT, ARRIVAL);
    DeliveryReport report = new DeliveryReport(envelope, QUEUE_ID, HOST,
        List.of(RecipientReport.failed(envelope.recipients().getFirst(), reply(null, 550, "5.1.1", "User unknown"), NOW)));

    DeliveryStatusNotification dsn = builder().build(report, NOW).orElseThrow();
    String text = new String(bytes(dsn, MemoryBody.of(ORIGINAL)), StandardCharsets.UTF_8);

    assertThat(dsn.parameters().smtpUtf8()).isTrue();
    assertThat(dsn.parameters().body()).isEqualTo(BodyType.EIGHT_BIT_MIME);
    assertThat(text).contains("To: j\u00f6rg@b\u00fcro.example\r\n")
        .contains("Final-Recipient: utf-8; m\\x{FC}ller@example.org\r\n")
        .contains("Content-Type: text/plain; charset=utf-8\r\nContent-Description: Notification\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n")
        .contains("<m=C3=BCller@example.org>");
  }

  @Test
  void largeOriginalIsReturnedAsHeadersOnlyAndStreamed() throws IOException {
    long fiftyMiB = 50L * 1024 * 1024;
    MessageBody huge = new GeneratedBody(fiftyMiB);
    DeliveryStatusNotification dsn = builder()
        .build(report(envelope(SCANNER, DsnReturn.FULL, null), RecipientReport.failed(CAROL, null, NOW)), NOW)
        .orElseThrow();

    byte[] bytes = bytes(dsn, huge);

    assertThat(bytes.length).isLessThan(4096);
    assertThat(new String(bytes, StandardCharsets.US_ASCII))
        .contains("Content-Type: text/rfc822-headers; charset=us-ascii\r\n")
        .contains("Subject: big scan\r\n")
        .doesNotContain("xxxxxxxx");
  }

  @Test
  void reportAboutAStrangerIsRefused() {
    Recipient stranger = Recipient.of(MailPath.parse("eve@example.org"));

    assertThatThrownBy(() -> report(envelope(), RecipientReport.failed(stranger, null, NOW)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A body of the given size made up on the fly: headers, then lines of x. */
  private record GeneratedBody(long size) implements MessageBody {
    @Override
    public InputStream open() {
      byte[] head = "Subject: big scan\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      return new InputStream() {
        private long position;

        @Override
        public int read() {
          if (position >= size) {
            return -1;
          }
          long p = position++;
          if (p < head.length) {
            return head[(int) p];
          }
          long column = (p - head.length) % 78;
          return column == 76 ? '\r' : column == 77 ? '\n' : 'x';
        }
      };
    }
  }
}
