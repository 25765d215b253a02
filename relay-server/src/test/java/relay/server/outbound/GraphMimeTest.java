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

  @Test
  void aNotificationIsSentFromTheMailboxKeepingItsDisplayNameAndNothingElseChanges() throws Exception {
    String dsn = "From: Mail Delivery System\r\n <MAILER-DAEMON@relay.test>\r\nTo: hr@contoso.com\r\n"
        + "Subject: Undelivered\r\n\r\nFrom: a body line, not a header\r\n";
    GraphMime mime = new GraphMime(dsn.getBytes(StandardCharsets.UTF_8), recipients("hr@contoso.com"),
        "postmaster@contoso.com");

    assertThat(new String(mime.bytes(), StandardCharsets.UTF_8)).isEqualTo(
        "From: Mail Delivery System <postmaster@contoso.com>\r\nTo: hr@contoso.com\r\n"
            + "Subject: Undelivered\r\n\r\nFrom: a body line, not a header\r\n");
  }

  @Test
  void aGroupWithoutMembersNamesNobody() throws Exception {
    String message = "From: a@contoso.com\r\nTo: undisclosed-recipients:;\r\n\r\nbody\r\n";
    GraphMime mime = new GraphMime(message.getBytes(StandardCharsets.UTF_8), recipients("x@fabrikam.com"));

    assertThat(mime.strangers()).isEmpty();
    assertThat(mime.named()).isEmpty();
    assertThat(mime.hidden()).extracting(r -> r.address().address()).containsExactly("x@fabrikam.com");
  }

  @Test
  void recipientsAreSharedOutInEnvelopeOrderAtMostPerRequest() {
    List<Recipient> five = recipients("a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com");
    assertThat(GraphTransport.shares(five, 2)).containsExactly(five.subList(0, 2), five.subList(2, 4), five.subList(4, 5));
    assertThat(GraphTransport.shares(five, 5)).containsExactly(five);
  }
}
