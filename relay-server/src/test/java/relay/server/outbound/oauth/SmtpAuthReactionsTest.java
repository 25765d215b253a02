package relay.server.outbound.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import relay.core.connector.OutboundConnector;
import relay.core.connector.Pacing;
import relay.core.connector.Secret;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.connector.SubmissionCredential;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.ReplyClassifier;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Envelope;
import relay.core.envelope.Recipient;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.LaneRule;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingLog;
import relay.core.spool.MessageBody;
import relay.core.tracking.ProtocolLog;
import relay.server.outbound.SmtpAuthTransport;
import relay.server.testing.FakeMicrosoft365;
import relay.server.testing.FakeTokenEndpoint;
import relay.server.testing.TestPki;

/**
 * How delivery to Microsoft 365 (the smtp-auth transport under its scheduler and mailbox lanes)
 * reacts when Microsoft 365 throttles a mailbox or Entra ID refuses the app's credential: defer
 * (never bounce), rest only that mailbox, and tell the operator why without revealing the secret.
 */
class SmtpAuthReactionsTest {

  private static final String CLIENT_ID = "6a1f2c3d-aaaa-bbbb-cccc-123456789abc";
  private static final String SECRET = "good~secret-that.must_never-leak";
  private static final String WRONG_SECRET = "wrong~secret-that.must_never-leak";
  private static final String MAILBOX = "relay@contoso.com";
  private static final String OPS_MAILBOX = "ops@contoso.com";
  private static final String LEGACY_MAILBOX = "legacy@contoso.com";

  @TempDir Path dir;
  private final InstantSource clock = InstantSource.system();
  private final Logger relayLogger = (Logger) LoggerFactory.getLogger("relay");
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private FakeTokenEndpoint endpoint;
  private FakeMicrosoft365 m365;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T08:00:00Z"));
  private final MemorySpool spool = new MemorySpool();
  private SmtpAuthTransport transport;
  private DeliveryScheduler scheduler;

  @BeforeEach
  void start() throws Exception {
    logged.start();
    relayLogger.addAppender(logged);
    TestPki pki = new TestPki("Fake Microsoft CA");
    endpoint = new FakeTokenEndpoint(clock);
    endpoint.registerSecret(CLIENT_ID, SECRET);
    m365 = new FakeMicrosoft365(pki.serverContext("localhost"), endpoint, clock, 2, 100, Duration.ofSeconds(1));
    m365.mailbox(MAILBOX, "hr@contoso.com");
    m365.mailbox(OPS_MAILBOX);
    m365.mailbox(LEGACY_MAILBOX);
    SubmissionCredential good = credential(SECRET);
    SenderIdentities identities = new SenderIdentities(List.of(
        new SenderIdentity("*@contoso.com", MAILBOX, null, null),
        new SenderIdentity(OPS_MAILBOX, OPS_MAILBOX, null, null),
        new SenderIdentity(LEGACY_MAILBOX, LEGACY_MAILBOX, null, credential(WRONG_SECRET))));
    // An hour's rest after a throttling reply: the scheduler's clock is stepped past it.
    Pacing pacing = new Pacing(2, 100, Duration.ofSeconds(1), 10_000, Duration.ofHours(24), 10,
        Duration.ofHours(1), Duration.ofMillis(200));
    OutboundConnector.SmtpAuth connector = new OutboundConnector.SmtpAuth("m365", new UpstreamHost("localhost", m365.port()),
        pki.writeCaPem(dir), "relay.test", Duration.ofSeconds(5), Duration.ofSeconds(10), good, identities, pacing);
    TokenClient client = new TokenClient(TokenClient.httpClient(endpoint.trust(), Duration.ofSeconds(5)), clock, Duration.ofSeconds(20));
    transport = new SmtpAuthTransport(connector, ReplyClassifier.standard(), new ProtocolLog(), clock,
        new TokenSources(client, clock, RefreshPolicy.DEFAULT, TokenListener.NONE));
    scheduler = new DeliveryScheduler(spool, transport, "m365", new LaneLimits(6, 100, true, LaneRule.of(connector)),
        new RetryPolicy(new RetrySchedule(Duration.ofHours(2), 1.0, Duration.ofHours(2), 0.0, Duration.ofDays(2))),
        now::get, new SplittableRandom(1), TrackingLog.NONE, Optional.empty());
  }

  @AfterEach
  void stop() {
    relayLogger.detachAppender(logged);
    scheduler.close();
    transport.close();
    m365.close();
    endpoint.close();
  }

  @Test
  void tooManySessionsReplyDefersRestsOnlyThatMailboxAndLowersItsSessions() throws Exception {
    m365.throttleSessions.set(1);
    QueuedMessage first = queue("m1", "hr@contoso.com", "a@fabrikam.com");
    scheduler.submit(first);
    scheduler.runDue().join();

    assertThat(spool.messages.get(first.id()).attempts()).isEqualTo(1);
    assertThat(spool.messages.get(first.id()).recipients().getFirst().lastReply().line()).contains("432 4.3.2");
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains(MAILBOX).contains("throttled").contains("to 1"));

    QueuedMessage second = queue("m2", "hr@contoso.com", "b@fabrikam.com");
    scheduler.submit(second);
    scheduler.submit(queue("m3", OPS_MAILBOX, "c@fabrikam.com"));
    scheduler.runDue().join();
    assertThat(m365.transactions.get()).as("nothing is tried while the mailbox rests").isEqualTo(2);
    assertThat(m365.messages).extracting(FakeMicrosoft365.Submitted::mailbox).containsExactly(OPS_MAILBOX);
    assertThat(spool.messages.get(second.id()).attempts()).as("resting is not an attempt").isZero();

    now.set(now.get().plus(Duration.ofHours(1)));
    scheduler.runDue().join();
    assertThat(m365.messages).extracting(FakeMicrosoft365.Submitted::mailbox).containsExactly(OPS_MAILBOX, MAILBOX);
    assertThat(spool.messages).containsOnlyKeys(first.id());
  }

  @Test
  void submissionQuotaExceededDefersAndRestsTheMailboxInsteadOfBouncing() throws Exception {
    m365.exceedQuota.set(1);
    QueuedMessage first = queue("m1", "hr@contoso.com", "a@fabrikam.com", "b@fabrikam.com");
    scheduler.submit(first);
    scheduler.runDue().join();

    assertThat(spool.messages.get(first.id()).recipients()).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RecipientStatus.PENDING);
      assertThat(r.lastReply().line()).contains("554 5.2.0").contains("SubmissionQuotaExceededException");
    });
    scheduler.submit(queue("m2", "hr@contoso.com", "c@fabrikam.com"));
    scheduler.runDue().join();
    assertThat(m365.transactions.get()).isEqualTo(1);
    assertThat(m365.messages).isEmpty();
    assertThat(spool.parked).as("waits on disk until the mailbox's rest is over").containsKey(new MessageId("m2"));
    assertThat(spool.messages.get(new MessageId("m2")).attempts()).isZero();
  }

  @Test
  void tokenEndpointErrorReachesTheOutcomeAndTheLogWithoutTheSecret() throws Exception {
    List<RecipientOutcome> outcomes = transport.deliver(request(LEGACY_MAILBOX, "a@fabrikam.com"));

    assertThat(outcomes).singleElement().satisfies(o -> {
      assertThat(o).isNotInstanceOfAny(RecipientOutcome.Delivered.class, RecipientOutcome.PermanentFailure.class);
      assertThat(o.detail()).contains("AADSTS7000215").doesNotContain(WRONG_SECRET).doesNotContain(SECRET);
    });
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("AADSTS7000215").contains("m365"));
    assertThat(logged.list).allSatisfy(event -> assertThat(event.getFormattedMessage() + event.getThrowableProxy())
        .doesNotContain(WRONG_SECRET).doesNotContain(SECRET));
    assertThat(m365.transactions.get()).isZero();
  }

  private SubmissionCredential credential(String secret) {
    return new SubmissionCredential.OAuth(endpoint.authority(), FakeTokenEndpoint.TENANT, CLIENT_ID,
        SubmissionCredential.OAuth.OUTLOOK_SCOPE, new Secret("env:M365_SECRET", secret), null, null);
  }

  private QueuedMessage queue(String id, String sender, String... recipients) {
    List<Recipient> rcpts = java.util.Arrays.stream(recipients).map(a -> Recipient.of(MailPath.parse(a))).toList();
    Envelope envelope = new Envelope(MailPath.parse(sender), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), now.get());
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope,
        rcpts.stream().map(RecipientState::pending).toList(), 0, now.get(), 0, "m365", false);
    spool.put(message, ("From: " + sender + "\r\nSubject: scan\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
    return message;
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
}
