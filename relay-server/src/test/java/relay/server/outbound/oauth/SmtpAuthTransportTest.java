package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.outbound.SmtpAuthTransport;
import relay.server.testing.FakeMicrosoft365;
import relay.server.testing.HttpClientThreads;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/** The smtp-auth transport against a fake Microsoft 365 (token endpoint and SMTP AUTH server). */
class SmtpAuthTransportTest {

  private static final String CLIENT_ID = "0b1f2c3d-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "s3cr3t~value-that.must_never-leak";
  private static final String MAILBOX = "relay@contoso.com";

  @TempDir Path dir;
  private final InstantSource clock = InstantSource.system();
  private FakeTokenEndpoint endpoint;
  private FakeMicrosoft365 m365;
  private OutboundConnector.SmtpAuth connector;
  private SmtpAuthTransport transport;

  @BeforeEach
  void start() throws Exception {
    TestPki pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    // Microsoft's limits scaled down: 2 sessions, 5 messages a second per mailbox, idle sessions
    // dropped after a second.
    m365 = new FakeMicrosoft365(pki.serverContext("localhost"), endpoint, clock, 2, 5, Duration.ofSeconds(1),
        Duration.ofSeconds(1));
    m365.mailbox(MAILBOX, "scanner@contoso.com", "hr@contoso.com", "sales@contoso.com");
    SubmissionCredential credential = new SubmissionCredential.OAuth(endpoint.authority(), FakeTokenEndpoint.TENANT,
        CLIENT_ID, SubmissionCredential.OAuth.OUTLOOK_SCOPE, new Secret("env:M365_SECRET", SECRET), null, null);
    SenderIdentities identities = new SenderIdentities(List.of(
        new SenderIdentity("*@contoso.com", MAILBOX, null, null),
        new SenderIdentity("*@localhost", MAILBOX, "scanner@contoso.com", null),
        new SenderIdentity("*", MAILBOX, null, null)));
    // Relay keeps below the upstream: 4 a second, so that latency never pushes it over 5.
    Pacing pacing = new Pacing(2, 4, Duration.ofSeconds(1), 10_000, Duration.ofHours(24), 3,
        Duration.ofSeconds(1), Duration.ofSeconds(30));
    connector = new OutboundConnector.SmtpAuth("m365", new UpstreamHost("localhost", m365.port()),
        pki.writeCaPem(dir), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), credential, identities, pacing);
    transport = transport();
  }

  private SmtpAuthTransport transport() throws Exception {
    TokenClient client = new TokenClient(TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock, Duration.ofSeconds(20));
    return new SmtpAuthTransport(connector, ReplyClassifier.standard(), new ProtocolLog(), clock,
        new TokenSources(client, clock, RefreshPolicy.DEFAULT, TokenListener.NONE));
  }

  @AfterEach
  void stop() {
    transport.close();
    m365.close();
    endpoint.close();
  }

  @Test
  void messagesFromSeveralSendersReuseTheirMailboxSessionAndTheTokenIsRenewedAcrossExpiry() throws Exception {
    // How many at once and how fast is the scheduler's to keep (SmtpAuthRelayTest covers the burst
    // through the whole relay); here one message after the other, as one mailbox lane hands them out.
    endpoint.expiresIn(2);
    String[] senders = {"hr@contoso.com", "sales@contoso.com", "scanner@localhost"};
    for (int i = 0; i < 4; i++) {
      assertThat(transport.deliver(request(senders[i % senders.length], "user" + i + "@fabrikam.com")))
          .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    }

    assertThat(m365.messages).hasSize(4);
    assertThat(m365.mostSessions.get()).as("one session reused per mailbox").isEqualTo(1);

    // The first token expires and the upstream drops the idle session, so the next message must
    // sign in again, with a fresh token.
    String first = endpoint.issued().getFirst();
    await().atMost(Duration.ofSeconds(10)).until(() -> !endpoint.isValid(first) && m365.openSessions() == 0);
    assertThat(transport.deliver(request("hr@contoso.com", "late@fabrikam.com")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(endpoint.requests()).isGreaterThanOrEqualTo(2);
    assertThat(m365.authFailures.get()).isZero();
    assertThat(m365.messages).filteredOn(m -> m.from().equals("scanner@contoso.com")).isNotEmpty();
  }

  @Test
  void refusedTokenIsReplacedOnceAndTheMessageDelivered() throws Exception {
    m365.refuseSignIns.set(1);

    List<RecipientOutcome> outcomes = transport.deliver(request("hr@contoso.com", "a@fabrikam.com"));

    assertThat(outcomes).singleElement().isInstanceOf(RecipientOutcome.Delivered.class);
    assertThat(endpoint.requests()).isEqualTo(2);
    assertThat(m365.authFailures.get()).isEqualTo(1);
  }

  @Test
  void tokenRefusedTwiceHoldsTheMailWithTheReason() throws Exception {
    m365.refuseSignIns.set(2);

    List<RecipientOutcome> outcomes = transport.deliver(request("hr@contoso.com", "a@fabrikam.com"));

    // The reply to the second sign-in, with a fresh token, is what holds the mail.
    assertThat(outcomes).singleElement().isInstanceOfSatisfying(RecipientOutcome.Held.class, held -> {
      assertThat(held.report()).isInstanceOfSatisfying(AttemptReport.Replied.class, replied -> {
        assertThat(replied.reply().code()).isEqualTo(535);
        assertThat(replied.reply().status()).hasToString("5.7.3");
        assertThat(replied.reply().lines()).anySatisfy(line -> assertThat(line).contains("Authentication unsuccessful"));
        assertThat(replied.hop().login()).isEqualTo(MAILBOX);
        assertThat(replied.hop().tls()).isNotNull();
      });
      assertThat(held.detail()).contains(MAILBOX).doesNotContain(SECRET);
    });
    assertThat(endpoint.requests()).as("a fresh token was asked for").isEqualTo(2);
    assertThat(m365.authFailures.get()).isEqualTo(2);
    assertThat(m365.messages).isEmpty();
  }

  @Test
  void senderTheMailboxMayNotSendAsIsHeldAsAConfigurationProblem() throws Exception {
    List<RecipientOutcome> outcomes = transport.deliver(request("ceo@fabrikam.com", "a@fabrikam.com"));

    assertThat(outcomes).singleElement().isInstanceOfSatisfying(RecipientOutcome.Held.class,
        held -> assertThat(held.detail()).contains("550 5.7.60"));
  }

  @Test
  void deviceSenderIsRewrittenAndTheOriginalFromBecomesReplyTo() throws Exception {
    assertThat(transport.deliver(request("scanner@localhost", "a@fabrikam.com")))
        .singleElement().isInstanceOf(RecipientOutcome.Delivered.class);

    assertThat(m365.messages).singleElement().satisfies(m -> {
      assertThat(m.from()).isEqualTo("scanner@contoso.com");
      String content = new String(m.content(), StandardCharsets.UTF_8);
      assertThat(content).contains("From: scanner@contoso.com\r\n").contains("Reply-To: scanner@localhost\r\n")
          .endsWith("\r\nhello\r\n");
    });
  }

  @Test
  void messageWithMoreRecipientsThanAllowedIsSplitIntoSeveralTransactions() throws Exception {
    List<RecipientOutcome> outcomes = transport.deliver(request("hr@contoso.com",
        "a@fabrikam.com", "b@fabrikam.com", "c@fabrikam.com", "d@fabrikam.com", "e@fabrikam.com"));

    assertThat(outcomes).hasSize(5).allSatisfy(o -> assertThat(o).isInstanceOf(RecipientOutcome.Delivered.class));
    assertThat(m365.messages).extracting(m -> m.recipients().size()).containsExactly(3, 2);
  }

  private static DeliveryRequest request(String sender, String... recipients) {
    byte[] content = ("From: " + sender + "\r\nSubject: scan\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
    return new DeliveryRequest(new MessageId("m" + System.nanoTime()), MailPath.parse(sender), MailParameters.NONE,
        java.util.Arrays.stream(recipients).map(a -> Recipient.of(MailPath.parse(a))).toList(), new MessageBody() {
          @Override
          public long size() {
            return content.length;
          }

          @Override
          public InputStream open() {
            return new ByteArrayInputStream(content);
          }
        }, new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), Instant.parse("2026-03-01T08:00:00Z"));
  }

  @Test
  void closingTheTransportEndsItsTokenClient() throws Exception {
    Set<Thread> before = HttpClientThreads.alive();
    SmtpAuthTransport other = transport();
    Set<Thread> made = new HashSet<>(HttpClientThreads.alive());
    made.removeAll(before);
    assertThat(made).as("the token client's selector thread").hasSize(1);

    // A connector replaced by a reload closes its transport: the client must not outlive it.
    other.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> made.stream().noneMatch(Thread::isAlive));
  }
}
