package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.BodyType;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.DsnNotify;
import relay.core.envelope.DsnReturn;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.tracking.ProtocolLog;
import relay.server.testing.ScriptedUpstream;

/**
 * The SMTP transaction Relay speaks upstream, against a scripted server: pipelined when offered
 * (the server holds its replies until DATA, so a client that waited would hang), one command at a
 * time otherwise, refusals of sender and recipients answered per recipient, DSN parameters per
 * recipient, the session reused after a refused transaction, and the content dot-stuffed with line
 * endings repaired.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamTransactionTest {

  private ScriptedUpstream upstream;
  private SmtpTransport transport;

  @AfterEach
  void tearDown() throws Exception {
    if (transport != null) {
      transport.close();
    }
    upstream.close();
  }

  @Test
  void withPipeliningMailEveryRcptAndDataGoTogetherAndEachRecipientGetsItsOwnReply() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING"), Set.of("gone@example.com"));

    List<RecipientOutcome> outcomes = deliver(request(MailParameters.NONE,
        Recipient.of(MailPath.parse("a@example.com")), Recipient.of(MailPath.parse("gone@example.com")),
        Recipient.of(MailPath.parse("b@example.com"))));

    assertThat(outcomes).extracting(o -> o.getClass().getSimpleName())
        .containsExactly("Delivered", "PermanentFailure", "Delivered");
    assertThat(outcomes.get(1).toString()).contains("550 5.1.1");
    assertThat(upstream.groups()).contains(List.of("MAIL FROM:<p@example.com>", "RCPT TO:<a@example.com>",
        "RCPT TO:<gone@example.com>", "RCPT TO:<b@example.com>", "DATA"));
  }

  @Test
  void withoutPipeliningEachCommandWaitsForItsReply() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of(), Set.of());

    deliver(request(MailParameters.NONE, Recipient.of(MailPath.parse("a@example.com")),
        Recipient.of(MailPath.parse("b@example.com"))));

    assertThat(upstream.groups()).allSatisfy(group -> assertThat(group).hasSize(1));
    assertThat(upstream.commands()).containsSubsequence("MAIL FROM:<p@example.com>", "RCPT TO:<a@example.com>",
        "RCPT TO:<b@example.com>", "DATA");
  }

  @Test
  void aLongGroupGoesInPartsOfAtMostAHundredCommands() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING"), Set.of("r7@example.com"));
    Recipient[] recipients = new Recipient[250];
    for (int i = 0; i < recipients.length; i++) {
      recipients[i] = Recipient.of(MailPath.parse("r" + i + "@example.com"));
    }

    List<RecipientOutcome> outcomes = deliver(request(MailParameters.NONE, recipients));

    assertThat(outcomes).filteredOn(o -> o instanceof RecipientOutcome.Delivered).hasSize(249);
    assertThat(outcomes.get(7)).isInstanceOf(RecipientOutcome.PermanentFailure.class);
    List<List<String>> transaction = upstream.groups().stream().filter(g -> !g.getFirst().startsWith("EHLO")).toList();
    assertThat(transaction).extracting(List::size).containsExactly(100, 100, 52);
    assertThat(transaction.getFirst().getFirst()).startsWith("MAIL FROM:");
    assertThat(transaction.getLast().getLast()).isEqualTo("DATA");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aRefusedSenderIsEveryRecipientsAnswerAndTheSessionCarriesTheNextMessage(boolean pipelining) throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE,
        pipelining ? List.of("PIPELINING") : List.of(), Set.of("blocked@example.com"));

    List<RecipientOutcome> refused = deliver(new DeliveryRequest(new MessageId("m1"), MailPath.parse("blocked@example.com"),
        MailParameters.NONE, List.of(Recipient.of(MailPath.parse("a@example.com")), Recipient.of(MailPath.parse("b@example.com"))),
        SmtpTransportTest.body(SmtpTransportTest.CONTENT), client(), Instant.EPOCH));
    List<RecipientOutcome> next = deliver(request(MailParameters.NONE, Recipient.of(MailPath.parse("a@example.com"))));

    assertThat(refused).allSatisfy(o -> {
      assertThat(o).isInstanceOf(RecipientOutcome.PermanentFailure.class);
      assertThat(o.toString()).contains("550 5.7.1 sender refused");
    });
    assertThat(next).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.sessions()).isEqualTo(1);
    assertThat(upstream.content()).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void whenNoRecipientIsAcceptedTheTransactionIsResetAndTheSessionReused(boolean pipelining) throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE,
        pipelining ? List.of("PIPELINING") : List.of(), Set.of("gone@example.com"));

    List<RecipientOutcome> refused = deliver(request(MailParameters.NONE, Recipient.of(MailPath.parse("gone@example.com"))));
    List<RecipientOutcome> next = deliver(request(MailParameters.NONE, Recipient.of(MailPath.parse("a@example.com"))));

    assertThat(refused).singleElement().isInstanceOf(RecipientOutcome.PermanentFailure.class);
    assertThat(next).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(upstream.commands()).contains("RSET");
    assertThat(upstream.sessions()).isEqualTo(1);
    assertThat(upstream.content()).as("nothing sent for the refused message").hasSize(upstream.content().indexOf(".") + 1);
  }

  @Test
  void dsnParametersGoPerRecipientInOneTransactionWhenTheServerOffersDsn() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING", "DSN", "8BITMIME"), Set.of());
    MailParameters parameters = new MailParameters(-1, BodyType.EIGHT_BIT_MIME, false, DsnReturn.HDRS, "scan+2B42");

    deliver(request(parameters,
        new Recipient(MailPath.parse("a@example.com"), Set.of(DsnNotify.FAILURE, DsnNotify.DELAY), "rfc822;front@example.com"),
        new Recipient(MailPath.parse("b@example.com"), Set.of(DsnNotify.NEVER), null),
        Recipient.of(MailPath.parse("c@example.com"))));

    assertThat(upstream.commands()).containsSubsequence(
        "MAIL FROM:<p@example.com> RET=HDRS ENVID=scan+2B42 BODY=8BITMIME",
        "RCPT TO:<a@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;front@example.com",
        "RCPT TO:<b@example.com> NOTIFY=NEVER",
        "RCPT TO:<c@example.com>",
        "DATA");
    assertThat(upstream.commands()).filteredOn(c -> c.startsWith("MAIL")).hasSize(1);
  }

  @Test
  void withoutDsnOfferedNoDsnParameterIsSent() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING"), Set.of());

    deliver(request(new MailParameters(-1, BodyType.SEVEN_BIT, false, DsnReturn.FULL, "x"),
        new Recipient(MailPath.parse("a@example.com"), Set.of(DsnNotify.SUCCESS), "rfc822;a@example.com")));

    assertThat(upstream.commands()).contains("MAIL FROM:<p@example.com>", "RCPT TO:<a@example.com>");
  }

  @Test
  void contentIsDotStuffedWithBareLineEndingsRepairedAndItsLastLineEnded() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING"), Set.of());
    byte[] content = "Subject: x\r\n\r\n.one\r\ntwo\nthree\r..\r\n.\r\nlast".getBytes(StandardCharsets.US_ASCII);

    deliver(new DeliveryRequest(new MessageId("m2"), MailPath.parse("p@example.com"), MailParameters.NONE,
        List.of(Recipient.of(MailPath.parse("a@example.com"))), SmtpTransportTest.body(content), client(), Instant.EPOCH));

    assertThat(upstream.content())
        .containsExactly("Subject: x", "", "..one", "two", "three", "...", "..", "last", ".");
  }

  @Test
  void contentLargerThanTheSendBufferArrivesWholeAndInOrder() throws Exception {
    upstream = new ScriptedUpstream(ScriptedUpstream.Misbehaviour.NONE, List.of("PIPELINING"), Set.of());
    StringBuilder text = new StringBuilder("Subject: big\r\n\r\n");
    for (int i = 0; i < 6000; i++) {
      text.append(i % 3 == 0 ? "." : "").append("line ").append(i).append(" of a long scan report\r\n");
    }

    deliver(new DeliveryRequest(new MessageId("m3"), MailPath.parse("p@example.com"), MailParameters.NONE,
        List.of(Recipient.of(MailPath.parse("a@example.com"))),
        SmtpTransportTest.body(text.toString().getBytes(StandardCharsets.US_ASCII)), client(), Instant.EPOCH));

    List<String> lines = upstream.content();
    assertThat(lines).hasSize(6000 + 3);
    assertThat(lines.get(2)).isEqualTo("..line 0 of a long scan report");
    assertThat(lines.get(6001)).isEqualTo("line 5999 of a long scan report");
    assertThat(lines.getLast()).isEqualTo(".");
  }

  private List<RecipientOutcome> deliver(DeliveryRequest request) throws Exception {
    if (transport == null) {
      transport = new SmtpTransport(new OutboundConnector.SmartHost("scripted",
          List.of(new UpstreamHost("127.0.0.1", upstream.port())), TlsPolicy.of(TlsMode.NONE), "relay.test",
          Duration.ofSeconds(5), Duration.ofSeconds(10), 1), ReplyClassifier.standard(), new ProtocolLog());
    }
    return transport.deliver(request);
  }

  private static DeliveryRequest request(MailParameters parameters, Recipient... recipients) {
    return new DeliveryRequest(new MessageId("m" + System.nanoTime()), MailPath.parse("p@example.com"), parameters,
        List.of(recipients), SmtpTransportTest.body(SmtpTransportTest.CONTENT), client(), Instant.EPOCH);
  }

  private static ClientInfo client() {
    return new ClientInfo("192.0.2.7", 40000, "printer", false, "lan");
  }
}
