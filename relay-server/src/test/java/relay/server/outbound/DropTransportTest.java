package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.OutboundConnector;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.envelope.BodyType;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;

class DropTransportTest {

  @TempDir Path dir;

  @Test
  void writesTheBodyUnchangedAndAReadableEnvelopeBesideIt() throws Exception {
    Path drop = dir.resolve("drop");
    DropTransport transport = new DropTransport(new OutboundConnector.Drop("archive", drop));
    DeliveryRequest request = new DeliveryRequest(new MessageId("Q1-abc"), MailPath.parse("scanner@example.com"),
        new MailParameters(120, BodyType.EIGHT_BIT_MIME, false, DsnReturn.HDRS, "scan+2B42"),
        List.of(new Recipient(MailPath.parse("a@example.com"), Set.of(DsnNotify.FAILURE, DsnNotify.DELAY), "rfc822;a@example.com"),
            Recipient.of(MailPath.parse("b@example.com"))),
        SmtpTransportTest.body(SmtpTransportTest.CONTENT),
        new ClientInfo("192.0.2.7", 40000, "scanner-3", true, "lan"), Instant.parse("2026-03-01T08:00:00Z"));

    List<RecipientOutcome> outcomes = transport.deliver(request);

    assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(Files.readAllBytes(drop.resolve("Q1-abc.eml"))).isEqualTo(SmtpTransportTest.CONTENT);
    assertThat(Files.readAllLines(drop.resolve("Q1-abc.envelope"))).containsExactly(
        "version: 1",
        "id: Q1-abc",
        "received: 2026-03-01T08:00:00Z",
        "client-address: 192.0.2.7",
        "client-port: 40000",
        "client-helo: scanner-3",
        "client-tls: true",
        "inbound-connector: lan",
        "sender: <scanner@example.com>",
        "body: 8BITMIME",
        "smtputf8: false",
        "ret: HDRS",
        "envid: scan+2B42",
        "recipient: <a@example.com> notify=FAILURE,DELAY orcpt=rfc822;a@example.com",
        "recipient: <b@example.com>");
    try (Stream<Path> files = Files.list(drop)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("Q1-abc.eml", "Q1-abc.envelope");
    }
  }

  @Test
  void nullSenderIsWrittenAsEmptyPath() throws Exception {
    DropTransport transport = new DropTransport(new OutboundConnector.Drop("archive", dir));

    transport.deliver(SmtpTransportTest.request(MailPath.NULL, "a@example.com"));

    try (Stream<Path> files = Files.list(dir)) {
      Path envelope = files.filter(p -> p.toString().endsWith(".envelope")).findFirst().orElseThrow();
      assertThat(Files.readAllLines(envelope)).contains("sender: <>");
    }
  }

  @Test
  void unwritableFolderIsATransientFailure() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    DropTransport transport = new DropTransport(new OutboundConnector.Drop("archive", notADirectory));

    List<RecipientOutcome> outcomes = transport.deliver(SmtpTransportTest.request(MailPath.parse("p@example.com"), "a@example.com"));

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.TransientFailure.class);
  }
}
