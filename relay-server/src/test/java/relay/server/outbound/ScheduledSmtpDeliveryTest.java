package relay.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.RejectException;
import relay.core.connector.TlsMode;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.ReplyClassifier;
import relay.core.delivery.UpstreamHop;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.testing.MemorySpool;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.TrackingLog;
import relay.server.testing.TestUpstream;

/** The scheduler driving the real SMTP transport against a real upstream, with a test clock. */
class ScheduledSmtpDeliveryTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final InstantSource clock = now::get;
  private final MemorySpool spool = new MemorySpool();
  private final TestUpstream upstream = TestUpstream.plain();
  private SmtpTransport transport;
  private DeliveryScheduler scheduler;

  @AfterEach
  void close() {
    scheduler.close();
    transport.close();
    upstream.close();
  }

  @Test
  void upstreamDownThenUpIsDeliveredOnTheRetry() throws Exception {
    upstream.down = true;
    start();
    QueuedMessage message = queue("Q1", "a@example.com");
    scheduler.submit(message);

    scheduler.runDue().join();

    QueuedMessage deferred = spool.messages.get(message.id());
    assertThat(deferred.recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING);
    // The 421 greeting refused the connection: no transaction, so a local cause, not a reply.
    assertThat(deferred.recipients().getFirst().lastReply()).isInstanceOfSatisfying(AttemptReport.Local.class, local -> {
      assertThat(local.cause()).isEqualTo(LocalCause.CONNECTION_FAILED);
      assertThat(local.reason()).contains("127.0.0.1:" + upstream.port()).contains("421");
    });
    assertThat(deferred.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(upstream.messages).isEmpty();

    upstream.down = false;
    now.set(T0.plus(Duration.ofMinutes(1)));
    scheduler.runDue().join();

    assertThat(upstream.messages).singleElement()
        .satisfies(m -> assertThat(m.content()).isEqualTo(SmtpTransportTest.CONTENT));
    // The deferral was recorded; the delivery removed the message without recording it first.
    assertThat(spool.updates).singleElement()
        .satisfies(update -> assertThat(update.recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING));
    assertThat(spool.removed).containsExactly(message.id());
  }

  @Test
  void permanentRefusalIsRecordedAsFinalFailureAndTheMessageRemoved() throws Exception {
    upstream.refuse.put("gone@example.com", new RejectException(550, "5.1.1 No such user"));
    start();
    QueuedMessage message = queue("Q2", "gone@example.com");
    scheduler.submit(message);

    scheduler.runDue().join();

    assertThat(spool.updates).singleElement().satisfies(update -> {
      RecipientState state = update.recipients().getFirst();
      assertThat(state.status()).isEqualTo(RecipientStatus.FAILED);
      assertThat(state.lastReply()).isEqualTo(new AttemptReport.Replied(
          SmtpReply.of(550, "5.1.1", "No such user"), UpstreamHop.plain("127.0.0.1", "127.0.0.1")));
    });
    assertThat(spool.removed).containsExactly(message.id());
    assertThat(scheduler.waiting()).isZero();
  }

  private void start() throws Exception {
    transport = new SmtpTransport(
        SmtpTransportTest.connector(TlsMode.NONE, null, new UpstreamHost("127.0.0.1", upstream.port())),
        ReplyClassifier.standard(), new ProtocolLog());
    RetrySchedule schedule = new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(2));
    scheduler = new DeliveryScheduler(spool, transport, "smart", new LaneLimits(2, DeliveryScheduler.DEFAULT_WINDOW, false),
        new RetryPolicy(schedule), clock, new SplittableRandom(1), TrackingLog.NONE, Optional.empty());
  }

  private QueuedMessage queue(String id, String recipient) {
    List<Recipient> rcpts = List.of(Recipient.of(MailPath.parse(recipient)));
    Envelope envelope = new Envelope(MailPath.parse("printer@example.com"), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), T0);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope,
        rcpts.stream().map(RecipientState::pending).toList(), 0, T0, SmtpTransportTest.CONTENT.length);
    spool.put(message, SmtpTransportTest.CONTENT);
    return message;
  }
}
