package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static relay.core.testing.Attempts.local;
import static relay.core.testing.Attempts.reply;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.metrics.TrackedMetrics;
import relay.core.metrics.AttemptResult;
import relay.core.metrics.RelayMetrics;
import relay.core.metrics.SmtpStage;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingLog;

class DeliverySchedulerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule NO_JITTER =
      new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(2));

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();
  private final List<String> attemptMetrics = new CopyOnWriteArrayList<>();
  private final List<Duration> delays = new CopyOnWriteArrayList<>();
  private final List<DeliveryScheduler> schedulers = new ArrayList<>();

  @AfterEach
  void closeSchedulers() {
    schedulers.forEach(DeliveryScheduler::close);
  }

  @Test
  void transientFailureKeepsRecipientPendingAndSchedulesTheNextAttemptByPolicy() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, reply(421, "4.3.2", "busy")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    QueuedMessage message = queue("m1", "a@example.com");

    scheduler.submit(message);
    scheduler.runDue().join();

    assertThat(spool.updates).singleElement().satisfies(update -> {
      assertThat(update.attempts()).isEqualTo(1);
      assertThat(update.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
      assertThat(update.recipients()).singleElement().isEqualTo(
          new RecipientState(message.envelope().recipients().getFirst(), RecipientStatus.PENDING, 1, reply(421, "4.3.2", "busy")));
    });
    assertThat(spool.removed).isEmpty();
    assertThat(scheduler.waiting()).isEqualTo(1);
    assertThat(attemptMetrics).containsExactly("transient");
  }

  @Test
  void deferredMessageIsDeliveredOnceTheClockReachesItsNextAttempt() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, local(LocalCause.CONNECTION_FAILED, "connection refused")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "a@example.com"));
    scheduler.runDue().join();

    transport.answer = r -> new RecipientOutcome.Delivered(r, reply(250, "2.0.0", "Ok"));
    clock.advance(Duration.ofSeconds(59));
    scheduler.runDue().join();
    assertThat(transport.requests).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    scheduler.runDue().join();

    assertThat(transport.requests).hasSize(2);
    // Only the deferral is recorded; the delivery removes the message straight away.
    assertThat(spool.updates).singleElement()
        .satisfies(update -> assertThat(update.recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING));
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
    assertThat(scheduler.waiting()).isZero();
    assertThat(attemptMetrics).containsExactly("transient", "delivered");
    assertThat(delays).containsExactly(Duration.ofMinutes(1));
  }

  @Test
  void eachRecipientKeepsItsOwnOutcomeAndOnlyPendingOnesAreTriedAgain() {
    ScriptedTransport transport = new ScriptedTransport(r -> switch (r.address().localPart()) {
      case "ok" -> new RecipientOutcome.Delivered(r, reply(250, "2.1.5", "Ok"));
      case "gone" -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown"));
      default -> new RecipientOutcome.TransientFailure(r, reply(450, "4.2.1", "busy"));
    });
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "ok@example.com", "gone@example.com", "later@example.com"));
    scheduler.runDue().join();

    assertThat(spool.updates.getLast().recipients()).extracting(RecipientState::status)
        .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.FAILED, RecipientStatus.PENDING);

    transport.answer = r -> new RecipientOutcome.Delivered(r, reply(250, "2.1.5", "Ok"));
    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue().join();

    assertThat(transport.requests.getLast().recipients()).extracting(r -> r.address().address())
        .containsExactly("later@example.com");
    assertThat(spool.updates).hasSize(1);
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
    assertThat(attemptMetrics).containsExactlyInAnyOrder("delivered", "permanent", "transient", "delivered");
  }

  @Test
  void deliveredMessageIsRemovedWithoutRecordingItsStateFirst() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, reply(250, "2.0.0", "Ok")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "a@example.com", "b@example.com"));

    scheduler.runDue().join();

    assertThat(spool.updates).isEmpty();
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
    assertThat(spool.size()).isZero();
    assertThat(attemptMetrics).containsExactly("delivered", "delivered");
  }

  @Test
  void deliveryThatFinishesWithAPermanentFailureIsRecordedBeforeRemoval() {
    ScriptedTransport transport = new ScriptedTransport(r -> r.address().localPart().equals("ok")
        ? new RecipientOutcome.Delivered(r, reply(250, "2.0.0", "Ok"))
        : new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "ok@example.com", "gone@example.com"));

    scheduler.runDue().join();

    assertThat(spool.updates).singleElement().satisfies(update -> assertThat(update.recipients())
        .extracting(RecipientState::status).containsExactly(RecipientStatus.DELIVERED, RecipientStatus.FAILED));
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
  }

  @Test
  void permanentFailureIsRecordedInTheSpoolBeforeTheMessageIsRemoved() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.PermanentFailure(r, reply(554, "5.7.1", "denied")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "a@example.com"));

    scheduler.runDue().join();

    assertThat(spool.updates).singleElement().satisfies(update -> {
      assertThat(update.recipients().getFirst().status()).isEqualTo(RecipientStatus.FAILED);
      assertThat(update.recipients().getFirst().lastReply()).isEqualTo(reply(554, "5.7.1", "denied"));
    });
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
    assertThat(spool.size()).isZero();
  }

  @Test
  void pendingRecipientsFailWhenTheNextAttemptWouldPassTheLifetime() {
    RetrySchedule shortLife = new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofMinutes(25));
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, reply(451, "4.4.1", "no answer")));
    DeliveryScheduler scheduler = scheduler(transport, shortLife, 4, clock);
    scheduler.submit(queue("m1", "a@example.com"));

    for (int i = 0; i < 4; i++) {
      scheduler.runDue().join();
      clock.advance(Duration.ofMinutes(10));
    }

    // Attempts at 0, 10 and 20 minutes; a fourth at 30 would pass the 25-minute lifetime.
    assertThat(transport.requests).hasSize(3);
    QueuedMessage last = spool.updates.getLast();
    assertThat(last.attempts()).isEqualTo(3);
    assertThat(last.recipients().getFirst().status()).isEqualTo(RecipientStatus.FAILED);
    // Failed after a transient reply is what says "expired"; the reply itself is kept as it came.
    assertThat(last.recipients().getFirst().lastReply()).isEqualTo(reply(451, "4.4.1", "no answer"));
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
  }

  @Test
  void heldRecipientIsRecordedWithItsReasonAndKeptOutOfTheDueQueueUntilReleased() {
    AttemptReport reason = reply(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender");
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Held(r, reason));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    scheduler.submit(queue("m1", "a@example.com"));
    scheduler.runDue().join();

    assertThat(spool.updates).singleElement().satisfies(update -> assertThat(update.recipients()).singleElement()
        .satisfies(state -> {
          assertThat(state.status()).isEqualTo(RecipientStatus.HELD);
          assertThat(state.lastReply()).isEqualTo(reason);
        }));
    assertThat(spool.removed).isEmpty();
    assertThat(scheduler.waiting()).isZero();
    assertThat(scheduler.held()).extracting(QueuedMessage::id).containsExactly(new MessageId("m1"));
    assertThat(attemptMetrics).containsExactly("held");

    clock.advance(Duration.ofDays(3));
    scheduler.runDue().join();
    assertThat(transport.requests).hasSize(1);

    transport.answer = r -> new RecipientOutcome.Delivered(r, reply(250, "2.0.0", "Ok"));
    assertThat(scheduler.release(new MessageId("m1"))).isTrue();
    assertThat(spool.updates.getLast().recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING);
    scheduler.runDue().join();

    assertThat(transport.requests).hasSize(2);
    assertThat(spool.removed).containsExactly(new MessageId("m1"));
    assertThat(scheduler.held()).isEmpty();
    assertThat(scheduler.release(new MessageId("m1"))).isFalse();
  }

  @Test
  void recoveredHeldMessageStaysHeldWhilePendingRecipientsOfAnotherMessageAreTried() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, reply(250, null, "ok")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    QueuedMessage queued = queue("m1", "a@example.com");
    QueuedMessage held = new QueuedMessage(queued.id(), queued.envelope(),
        List.of(new RecipientState(queued.envelope().recipients().getFirst(), RecipientStatus.HELD, 1, reply(535, "5.7.3", "Authentication unsuccessful"))),
        1, T0, queued.bodySize());
    spool.update(held); // as recovery finds it: the held state is what the spool has

    scheduler.submit(held);
    scheduler.submit(queue("m2", "b@example.com"));
    scheduler.runDue().join();

    assertThat(transport.requests).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(new MessageId("m2")));
    assertThat(scheduler.held()).extracting(QueuedMessage::id).containsExactly(new MessageId("m1"));
    assertThat(held.isDone()).isFalse();
  }

  @Test
  void noMoreThanTheAllowedNumberOfAttemptsRunAtOnce() {
    CountDownLatch release = new CountDownLatch(1);
    ScriptedTransport transport = deliveringOnceReleased(release);
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 2, clock);
    for (int i = 0; i < 5; i++) {
      scheduler.submit(queue("m" + i, "a@example.com"));
    }

    var done = scheduler.runDue();
    // Only as many attempts as slots are started: the other three wait in the window, costing no thread.
    await().until(() -> transport.underWay.get() == 2 && scheduler.inFlight() == 2 && scheduler.waiting() == 3);
    release.countDown();
    done.join();

    assertThat(transport.mostUnderWay.get()).isEqualTo(2);
    assertThat(spool.removed).hasSize(5);
  }

  @Test
  void aMessageInFlightIsNeitherHeldNorRetriedUntilItsAttemptEnds() {
    CountDownLatch release = new CountDownLatch(1);
    ScriptedTransport transport = deliveringOnceReleased(release);
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 2, clock);
    QueuedMessage message = queue("m1", "a@example.com");
    scheduler.submit(message);
    var done = scheduler.runDue();
    await().until(() -> transport.underWay.get() == 1);

    // The attempt writes its own outcome: an operator's hold or retry now would be overwritten.
    assertThat(scheduler.suspend(message.id())).isFalse();
    assertThat(scheduler.retryNow(message.id())).isFalse();
    release.countDown();
    done.join();

    assertThat(spool.removed).containsExactly(message.id());
    assertThat(spool.updates).noneSatisfy(update ->
        assertThat(update.recipients().getFirst().status()).isEqualTo(RecipientStatus.HELD));
  }

  @Test
  void messageSubmittedTwiceIsAttemptedOnce() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, reply(250, null, "ok")));
    DeliveryScheduler scheduler = scheduler(transport, NO_JITTER, 4, clock);
    QueuedMessage message = queue("m1", "a@example.com");

    scheduler.submit(message);
    scheduler.submit(message);
    scheduler.runDue().join();

    assertThat(transport.requests).hasSize(1);
  }

  @Test
  void driverRetriesOnItsOwnAsRealTimePasses() {
    RetrySchedule fast = new RetrySchedule(Duration.ofMillis(200), 1.0, Duration.ofMillis(200), 0.0, Duration.ofMinutes(1));
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, reply(421, null, "busy")));
    InstantSource system = InstantSource.system();
    DeliveryScheduler scheduler = scheduler(transport, fast, 4, system);
    scheduler.start();

    scheduler.submit(queue("m1", "a@example.com", system.instant()));
    await().until(() -> transport.requests.size() >= 2);
    transport.answer = r -> new RecipientOutcome.Delivered(r, reply(250, null, "ok"));

    await().atMost(Duration.ofSeconds(5)).until(() -> spool.removed.contains(new MessageId("m1")));
    assertThat(spool.updates).isNotEmpty()
        .allSatisfy(update -> assertThat(update.recipients().getFirst().status()).isEqualTo(RecipientStatus.PENDING));
  }

  private DeliveryScheduler scheduler(Transport transport, RetrySchedule schedule, int maxInFlight, InstantSource source) {
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, transport, "smart", limits(maxInFlight),
        new RetryPolicy(schedule), source, new SplittableRandom(1), new TrackedMetrics(recordingMetrics()), Optional.empty());
    schedulers.add(scheduler);
    return scheduler;
  }

  private QueuedMessage queue(String id, String... recipients) {
    return queue(id, recipients, T0);
  }

  private QueuedMessage queue(String id, String recipient, Instant at) {
    return queue(id, new String[] {recipient}, at);
  }

  private QueuedMessage queue(String id, String[] recipients, Instant at) {
    List<Recipient> rcpts = java.util.Arrays.stream(recipients).map(a -> Recipient.of(MailPath.parse(a))).toList();
    Envelope envelope = new Envelope(MailPath.parse("printer@example.com"), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), at);
    byte[] body = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope,
        rcpts.stream().map(RecipientState::pending).toList(), 0, at, body.length);
    spool.put(message, body);
    return message;
  }

  private RelayMetrics recordingMetrics() {
    return new RelayMetrics() {
      @Override
      public void connection(String listener, String connector, boolean accepted) {}

      @Override
      public void messageAccepted(String connector, long bytes) {}

      @Override
      public void messageRejected(SmtpStage stage, int code) {}

      @Override
      public void deliveryAttempt(String connector, AttemptResult result) {
        attemptMetrics.add(result.label());
      }

      @Override
      public void deliveryDelay(String connector, Duration delay) {
        delays.add(delay);
      }
    };
  }

  private static LaneLimits limits(int maxInFlight) {
    return new LaneLimits(maxInFlight, DeliveryScheduler.DEFAULT_WINDOW, false);
  }

  /** A transport whose attempts all deliver, each only once {@code release} is counted down. */
  private static ScriptedTransport deliveringOnceReleased(CountDownLatch release) {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, reply(250, null, "ok")));
    transport.duringDelivery = () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    return transport;
  }
}
