package relay.core.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The small text encoders: quoted-printable, header folding, dates, xtext, typed addresses. */
class MimeTextTest {

  @Test
  void quotedPrintableRoundTripsThroughAnIndependentDecoder() throws Exception {
    String text = "Gr\u00fc\u00dfe = 100%  \r\n\ttab line\t\r\n" + "y".repeat(200) + "\r\nend";
    byte[] encoded = quoted(text.getBytes(StandardCharsets.UTF_8));

    DsnMimeStructureTest.assertSevenBitWithShortLines(encoded);
    for (String line : new String(encoded, StandardCharsets.US_ASCII).split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(76);
      assertThat(line).doesNotEndWith(" ").doesNotEndWith("\t");
    }
    try (InputStream decoded = MimeUtility.decode(new ByteArrayInputStream(encoded), "quoted-printable")) {
      assertThat(new String(decoded.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
    }
  }

  @Test
  void quotedPrintableEncodesTrailingWhiteSpaceAndEquals() throws IOException {
    assertThat(new String(quoted("a = b \r\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII))
        .isEqualTo("a =3D b=20\r\n");
  }

  @Test
  void longFieldIsFoldedAtWhiteSpaceAndUnfoldsToTheSameValue() {
    String value = "smtp; 550 5.1.1 <alice@example.net>: Recipient address rejected: User unknown in virtual mailbox table here";
    String folded = HeaderField.fold("Diagnostic-Code", value);

    assertThat(folded).contains("\r\n ");
    for (String line : folded.split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
    assertThat(folded.replace("\r\n", "")).isEqualTo("Diagnostic-Code: " + value);
  }

  @Test
  void dateIsRfc5322WithNumericZoneAndEnglishNames() {
    assertThat(MailDate.format(Instant.parse("2026-03-05T07:08:09Z"), ZoneId.of("Europe/Berlin")))
        .isEqualTo("Thu, 5 Mar 2026 08:08:09 +0100");
  }

  @Test
  void xtextIsDecodedUnlessTheResultWouldNotBePrintable() {
    assertThat(FieldText.decodeXtext("scan+2B0042")).isEqualTo("scan+0042");
    assertThat(FieldText.decodeXtext("bad+0D+0AX-Evil:+201")).isEqualTo("bad+0D+0AX-Evil:+201");
    assertThat(FieldText.originalRecipient("rfc822;a+2Bb@example.net")).isEqualTo("rfc822; a+b@example.net");
  }

  @Test
  void nonAsciiAddressIsTypedUtf8WithEscapes() {
    assertThat(FieldText.typedAddress("bob@example.net")).isEqualTo("rfc822; bob@example.net");
    assertThat(FieldText.typedAddress("j\u00f6rg+x@b\u00fcro.example"))
        .isEqualTo("utf-8; j\\x{F6}rg\\x{2B}x@b\\x{FC}ro.example");
  }

  private static byte[] quoted(byte[] input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (QuotedPrintableOutput qp = new QuotedPrintableOutput(out)) {
      qp.write(input);
    }
    return out.toByteArray();
  }
}
