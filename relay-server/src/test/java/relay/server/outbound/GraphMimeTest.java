package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/** Graph addresses by headers: hidden envelope recipients become a Bcc header; strangers are found. */
class GraphMimeTest {

  private static final String MESSAGE = "Received: from printer\r\n\tby relay.test\r\n"
      + "From: scanner@contoso.com\r\nTo: \"Boss\" <Boss@Fabrikam.com>, team@fabrikam.com\r\nCc: cc@fabrikam.com\r\n"
      + "Subject: Scan\r\n\r\nTo: body@fabrikam.com is not a header\r\n";

  private static List<Recipient> recipients(String... addresses) {
    return java.util.Arrays.stream(addresses).map(a -> Recipient.of(MailPath.parse(a))).toList();
  }

  @Test
  void recipientsTheHeadersNameNeedNoBccAndTheBytesStayAsTheyAre() throws Exception {
    GraphMime mime = new GraphMime(MESSAGE.getBytes(StandardCharsets.UTF_8),
        recipients("boss@fabrikam.com", "team@fabrikam.com", "cc@fabrikam.com"));

    assertThat(mime.hidden()).isEmpty();
    assertThat(mime.strangers()).isEmpty();
    assertThat(mime.bytes()).isEqualTo(MESSAGE.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void hiddenRecipientsGoInOneFoldedBccHeaderAtTheTop() throws Exception {
    GraphMime mime = new GraphMime(MESSAGE.getBytes(StandardCharsets.UTF_8),
        recipients("boss@fabrikam.com", "team@fabrikam.com", "cc@fabrikam.com", "audit@fabrikam.com", "x@contoso.com"));

    assertThat(new String(mime.bytes(), StandardCharsets.UTF_8))
        .isEqualTo("Bcc: audit@fabrikam.com,\r\n x@contoso.com\r\n" + MESSAGE);
  }

  @Test
  void headerAddressesOutsideTheEnvelopeAreStrangers() throws Exception {
    GraphMime mime = new GraphMime(MESSAGE.getBytes(StandardCharsets.UTF_8), recipients("boss@fabrikam.com"));

    assertThat(mime.strangers()).containsExactly("team@fabrikam.com", "cc@fabrikam.com");
    assertThat(mime.strangersText()).hasValue("team@fabrikam.com, cc@fabrikam.com");
  }
}
