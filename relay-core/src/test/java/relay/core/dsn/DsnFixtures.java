package relay.core.dsn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.BodyType;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.spool.MessageBody;

/** Shared inputs for the DSN tests: a scanner's message to three recipients, fixed times. */
final class DsnFixtures {

  static final Instant ARRIVAL = Instant.parse("2026-11-23T08:15:30Z");
  static final String HOST = "relay.example.com";
  static final MessageId QUEUE_ID = new MessageId("Q7X2K9");
  static final MailPath SCANNER = MailPath.parse("scanner@office.example.com");
  static final ClientInfo CLIENT = new ClientInfo("192.0.2.10", 40123, "scanner.office.example.com", false, "devices");

  /** NOTIFY=FAILURE and an ORCPT with an xtext escape. */
  static final Recipient ALICE = new Recipient(
      MailPath.parse("alice@example.net"), EnumSet.of(DsnNotify.FAILURE), "rfc822;alice+2Bscans@example.net");
  /** NOTIFY=NEVER. */
  static final Recipient BOB = new Recipient(MailPath.parse("bob@example.net"), EnumSet.of(DsnNotify.NEVER), null);
  /** No NOTIFY at all. */
  static final Recipient CAROL = Recipient.of(MailPath.parse("carol@example.org"));

  static final String ORIGINAL = """
      Received: from scanner.office.example.com ([192.0.2.10])\r
      \tby relay.example.com with ESMTP id Q7X2K9; Mon, 23 Nov 2026 08:15:30 +0000\r
      From: Office Scanner <scanner@office.example.com>\r
      To: alice@example.net, bob@example.net, carol@example.org\r
      Subject: Scanned document 0042\r
      Date: Mon, 23 Nov 2026 08:15:29 +0000\r
      Message-ID: <scan-0042@scanner.office.example.com>\r
      MIME-Version: 1.0\r
      Content-Type: text/plain; charset=us-ascii\r
      \r
      Your scan is ready: 3 pages.\r
      """;

  private DsnFixtures() {}

  /** The reply of upstream {@code host} (at a documentation address), or of no known host when null. */
  static AttemptReport reply(String host, int code, String status, String text) {
    return new AttemptReport.Replied(SmtpReply.of(code, status, text),
        host == null ? null : UpstreamHop.plain(host, "203.0.113.25"));
  }

  /** A local reason: no upstream replied. */
  static AttemptReport local(LocalCause cause, String reason) {
    return new AttemptReport.Local(cause, reason);
  }

  static Envelope envelope(MailPath sender, DsnReturn ret, String envelopeId) {
    return new Envelope(sender, new MailParameters(-1, BodyType.SEVEN_BIT, false, ret, envelopeId),
        List.of(ALICE, BOB, CAROL), CLIENT, ARRIVAL);
  }

  static Envelope envelope() {
    return envelope(SCANNER, null, null);
  }

  static DeliveryReport report(Envelope envelope, RecipientReport... recipients) {
    return new DeliveryReport(envelope, QUEUE_ID, HOST, List.of(recipients));
  }

  static Instant after(Duration duration) {
    return ARRIVAL.plus(duration);
  }

  /** Tokens t1, t2, ... so that the output is reproducible. */
  static DsnTokens countingTokens() {
    AtomicInteger next = new AtomicInteger();
    return () -> "t" + next.incrementAndGet();
  }

  static DsnBuilder builder() {
    return new DsnBuilder(DsnSettings.DEFAULTS, countingTokens());
  }

  static byte[] bytes(DeliveryStatusNotification dsn, MessageBody original) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    dsn.writeTo(out, original);
    return out.toByteArray();
  }

  static Set<DsnNotify> notifyOn(DsnNotify... values) {
    return values.length == 0 ? Set.of() : EnumSet.of(values[0], values);
  }
}
