package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.dsn.DsnFixtures.*;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import relay.core.envelope.DsnReturn;

/**
 * Parses generated notifications with an independent MIME parser (Jakarta Mail) to show that they
 * are well-formed: the report structure, the delivery-status fields and the returned original.
 */
class DsnMimeStructureTest {

  @Test
  void failureReportParsesAsMultipartReportWithThreeParts() throws Exception {
    DeliveryReport report = report(envelope(SCANNER, DsnReturn.FULL, "scan+2B0042"),
        RecipientReport.failed(ALICE, reply("mx1.example.net", 550, "5.1.1", "User unknown"), after(Duration.ofMinutes(1))),
        RecipientReport.expired(CAROL, reply("mx.example.org", 451, "4.3.0", "Try later"), after(Duration.ofDays(2))));
    byte[] bytes = bytes(builder().build(report, after(Duration.ofDays(2))).orElseThrow(), MemoryBody.of(ORIGINAL));

    MimeMessage message = parse(bytes);
    assertThat(message.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
    assertThat(message.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
    assertThat(message.getFrom()[0].toString()).contains("MAILER-DAEMON@relay.example.com");
    MimeMultipart parts = (MimeMultipart) message.getContent();
    assertThat(parts.getCount()).isEqualTo(3);
    assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain; charset=us-ascii");
    assertThat(parts.getBodyPart(1).getContentType()).isEqualTo("message/delivery-status");
    assertThat(parts.getBodyPart(2).getContentType()).isEqualTo("message/rfc822");

    List<InternetHeaders> blocks = statusBlocks(parts.getBodyPart(1));
    assertThat(blocks).hasSize(3);
    assertThat(blocks.get(0).getHeader("Original-Envelope-Id", null)).isEqualTo("scan+0042");
    assertThat(blocks.get(0).getHeader("Reporting-MTA", null)).isEqualTo("dns; relay.example.com");
    assertThat(blocks.get(1).getHeader("Original-Recipient", null)).isEqualTo("rfc822; alice+scans@example.net");
    assertThat(blocks.get(1).getHeader("Final-Recipient", null)).isEqualTo("rfc822; alice@example.net");
    assertThat(blocks.get(1).getHeader("Status", null)).isEqualTo("5.1.1");
    assertThat(blocks.get(1).getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 550 5.1.1 User unknown");
    assertThat(blocks.get(2).getHeader("Action", null)).isEqualTo("failed");
    assertThat(blocks.get(2).getHeader("Status", null)).isEqualTo("4.3.0");
    assertThat(blocks.get(2).getHeader("Original-Recipient", null)).isNull();

    MimeMessage returned = (MimeMessage) parts.getBodyPart(2).getContent();
    assertThat(returned.getSubject()).isEqualTo("Scanned document 0042");
    assertThat(returned.getContent().toString()).isEqualTo("Your scan is ready: 3 pages.\r\n");
  }

  @Test
  void eightBitOriginalComesBackAsQuotedPrintableHeadersAndTheReportStaysSevenBit() throws Exception {
    String eightBit = "Subject: Rechnung f\u00fcr M\u00e4rz  \r\nFrom: scanner@office.example.com\r\n\r\nGr\u00fc\u00dfe\r\n";
    DeliveryReport report = report(envelope(SCANNER, DsnReturn.FULL, null),
        RecipientReport.failed(CAROL, reply("mx.example.org", 550, "5.1.1", "User unknown"), after(Duration.ofMinutes(1))));
    byte[] bytes = bytes(builder().build(report, after(Duration.ofMinutes(1))).orElseThrow(), MemoryBody.of(eightBit));

    assertSevenBitWithShortLines(bytes);
    MimeMultipart parts = (MimeMultipart) parse(bytes).getContent();
    BodyPart headers = parts.getBodyPart(2);
    assertThat(headers.getContentType()).isEqualTo("text/rfc822-headers; charset=utf-8");
    try (InputStream decoded = headers.getInputStream()) {
      assertThat(new String(decoded.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("Subject: Rechnung f\u00fcr M\u00e4rz  \r\nFrom: scanner@office.example.com\r\n");
    }
  }

  @Test
  void longUpstreamReplyIsCutSoEveryLineStaysUnder998Octets() throws Exception {
    DeliveryReport report = report(envelope(),
        RecipientReport.failed(ALICE, reply("mx1.example.net", 550, "5.1.1", "x".repeat(2000)), after(Duration.ofMinutes(1))));
    byte[] bytes = bytes(builder().build(report, after(Duration.ofMinutes(1))).orElseThrow(), MemoryBody.of(ORIGINAL));

    assertSevenBitWithShortLines(bytes);
    assertThat(statusBlocks(((MimeMultipart) parse(bytes).getContent()).getBodyPart(1))).hasSize(2);
  }

  static void assertSevenBitWithShortLines(byte[] bytes) {
    int lineLength = 0;
    for (int i = 0; i < bytes.length; i++) {
      assertThat(bytes[i] & 0xff).as("octet %d", i).isLessThan(0x80).isNotZero();
      if (bytes[i] == '\n') {
        assertThat(bytes[i - 1]).as("LF at %d follows CR", i).isEqualTo((byte) '\r');
        lineLength = 0;
      } else if (bytes[i] != '\r') {
        assertThat(++lineLength).as("line length at octet %d", i).isLessThanOrEqualTo(998);
      }
    }
  }

  static MimeMessage parse(byte[] bytes) throws MessagingException {
    return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
  }

  /** The per-message block, then one block per recipient, read by Jakarta's header parser. */
  static List<InternetHeaders> statusBlocks(BodyPart part) throws MessagingException, IOException {
    List<InternetHeaders> blocks = new ArrayList<>();
    try (InputStream in = part.getInputStream()) {
      byte[] all = in.readAllBytes();
      ByteArrayInputStream rest = new ByteArrayInputStream(all);
      while (rest.available() > 0) {
        InternetHeaders block = new InternetHeaders(rest);
        if (block.getAllHeaderLines().hasMoreElements()) {
          blocks.add(block);
        }
      }
    }
    return blocks;
  }
}
