package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.GraphAnswer;
import relay.core.delivery.DeliveryRequest;
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
import relay.core.reply.SmtpReply;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * The ready lanes below a connector, run as whole schedules under a test clock: per-mailbox
 * sessions and pace, a throttled mailbox resting while others go on, per-domain connections, a
 * mailbox out of recipients for the day parked instead of filling the window. Waiting for a turn is
 * never an attempt: no transient outcome, no attempt counted, no back-off.
 */
class ReadyLanesScheduleTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));
  private static final AttemptReport THROTTLED =
      new AttemptReport.Replied(SmtpReply.of(432, "4.3.2", "STOREDRV.ClientSubmit; sender thread limit exceeded"));
  private static final SenderIdentities IDENTITIES = new SenderIdentities(List.of(
      new SenderIdentity("*@scan.example", "scanner@example.com", null, null),
      new SenderIdentity("*@erp.example", "erp@example.com", null, null)));

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();
  private final List<TrackingEvent> events = new CopyOnWriteArrayList<>();
  private final List<AttemptResult> results = new CopyOnWriteArrayList<>();
  private final List<DeliveryScheduler> schedulers = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    schedulers.forEach(DeliveryScheduler::close);
  }

  @Test
  void mailboxesArePacedAndKeptToTheirSessionsWithoutAnyAttemptSpentWaiting() {
    // 2 sessions and 3 messages a minute per mailbox.
    Pacing pacing = new Pacing(2, 3, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 100,
        Duration.ofMinutes(5), Duration.ofMinutes(2));
    LaneTransport transport = new LaneTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, new LaneRule.PerMailbox(IDENTITIES, pacing));
    for (int i = 0; i < 9; i++) {
      scheduler.submit(message("m-scan-" + i, "printer@scan.example", "r" + i + "@example.net"));
    }
    scheduler.submit(message("m-erp-0", "app@erp.example", "boss@example.net"));

    scheduler.runDue().join();
    assertThat(transport.perSender).containsEntry("printer@scan.example", 3).containsEntry("app@erp.example", 1);
    assertThat(scheduler.waiting()).as("six scans wait in their mailbox's lane, in memory").isEqualTo(6);

    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue().join();
    assertThat(transport.perSender).containsEntry("printer@scan.example", 6);
    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue().join();

    assertThat(transport.perSender).containsEntry("printer@scan.example", 9);
    assertThat(spool.messages).as("everything delivered").isEmpty();
    assertThat(transport.mostAtOnce.get()).as("sessions at once per mailbox").isLessThanOrEqualTo(2);
    assertThat(results).as("waiting for a turn is never an attempt").containsOnly(AttemptResult.DELIVERED).hasSize(10);
    assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(TrackingEvent.Delivery.class,
        d -> assertThat(d.result()).isEqualTo(TrackingEvent.Result.DELIVERED)));
  }

  @Test
  void throttledMailboxRestsAndDropsASessionWhileAnotherMailboxGoesOn() {
    Pacing pacing = new Pacing(3, 100, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 100,
        Duration.ofMinutes(5), Duration.ofMinutes(2));
    AtomicInteger throttles = new AtomicInteger(1);
    LaneTransport transport = new LaneTransport(r -> r.address().address().startsWith("first")
        && throttles.getAndDecrement() > 0 ? new RecipientOutcome.TransientFailure(r, THROTTLED)
        : new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, new LaneRule.PerMailbox(IDENTITIES, pacing));
    scheduler.submit(message("m-scan-0", "printer@scan.example", "first@example.net"));
    scheduler.runDue().join();
    assertThat(results).containsExactly(AttemptResult.TRANSIENT);

    for (int i = 1; i < 4; i++) {
      scheduler.submit(message("m-scan-" + i, "printer@scan.example", "r" + i + "@example.net"));
    }
    scheduler.submit(message("m-erp-0", "app@erp.example", "boss@example.net"));
    scheduler.runDue().join();
    assertThat(transport.perSender).as("the throttled mailbox rests; the other goes on")
        .containsEntry("printer@scan.example", 1).containsEntry("app@erp.example", 1);

    clock.advance(Duration.ofMinutes(5));
    scheduler.runDue().join();
    assertThat(transport.perSender).containsEntry("printer@scan.example", 4);
    assertThat(results).as("resting is not an attempt").containsExactly(AttemptResult.TRANSIENT,
        AttemptResult.DELIVERED, AttemptResult.DELIVERED, AttemptResult.DELIVERED, AttemptResult.DELIVERED);
    assertThat(spool.messages).as("the throttled one waits for its retry").containsOnlyKeys(new MessageId("m-scan-0"));
    assertThat(spool.messages.get(new MessageId("m-scan-0")).attempts()).isEqualTo(1);
  }

  @Test
  void aThrottleWithRetryAfterRestsTheMailboxThatLongAndTheRetryThatComesDueMeanwhileIsNoAttempt() {
    // throttle-pause 5 minutes, retry after 10; Graph asks for 20 minutes of rest.
    Pacing pacing = new Pacing(3, 100, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 100,
        Duration.ofMinutes(5), Duration.ofMinutes(2));
    AttemptReport graph429 = new AttemptReport.Replied(SmtpReply.of(451, "4.3.2",
        GraphAnswer.PREFIX + "429 ApplicationThrottled: over its limit (Retry-After 1200s)"), null, Duration.ofMinutes(20));
    AtomicInteger throttles = new AtomicInteger(1);
    LaneTransport transport = new LaneTransport(r -> throttles.getAndDecrement() > 0
        ? new RecipientOutcome.TransientFailure(r, graph429) : new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, new LaneRule.PerMailbox(IDENTITIES, pacing));
    scheduler.submit(message("m-scan-0", "printer@scan.example", "first@example.net"));
    scheduler.runDue().join();
    scheduler.submit(message("m-scan-1", "printer@scan.example", "second@example.net"));

    for (int minute = 1; minute < 20; minute++) {
      clock.advance(Duration.ofMinutes(1));
      scheduler.runDue().join();
    }
    assertThat(transport.perSender).as("resting 20 minutes, not the 5 of throttle-pause")
        .containsEntry("printer@scan.example", 1);
    assertThat(results).containsExactly(AttemptResult.TRANSIENT);

    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue().join();
    assertThat(transport.perSender).containsEntry("printer@scan.example", 3);
    assertThat(results).as("the retry that came due while resting was no attempt").containsExactly(
        AttemptResult.TRANSIENT, AttemptResult.DELIVERED, AttemptResult.DELIVERED);
    assertThat(spool.messages).isEmpty();
  }

  @Test
  void eachRecipientDomainHasItsOwnConnectionsAndASlowOneDoesNotHoldUpTheOthers() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    LaneTransport transport = new LaneTransport(r -> new RecipientOutcome.Delivered(r, OK));
    transport.before = request -> {
      if (request.recipients().getFirst().address().domain().name().equals("slow.example")) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    DeliveryScheduler scheduler = scheduler(transport, new LaneRule.PerDomain(2));
    for (int i = 0; i < 6; i++) {
      scheduler.submit(message("m-slow-" + i, "app@erp.example", "r" + i + "@slow.example"));
    }
    for (int i = 0; i < 4; i++) {
      scheduler.submit(message("m-fast-" + i, "app@erp.example", "r" + i + "@fast.example"));
    }
    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> transport.completed("fast.example") >= 4);
    assertThat(transport.completed("fast.example")).as("the fast domain is not held up").isEqualTo(4);
    assertThat(transport.started("slow.example")).as("the slow domain gets its two connections").isEqualTo(2);

    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(spool.messages::isEmpty);
    assertThat(spool.messages).isEmpty();
    assertThat(transport.mostAtOnce.get()).isLessThanOrEqualTo(2);
    assertThat(results).containsOnly(AttemptResult.DELIVERED).hasSize(10);
  }

  @Test
  void mailboxOutOfRecipientsForTheDayIsParkedUntilItMaySendAgainNotHeldInMemory() {
    // 5 recipients per rolling 24 hours.
    Pacing pacing = new Pacing(3, 100, Duration.ofMinutes(1), 5, Duration.ofHours(24), 100,
        Duration.ofMinutes(5), Duration.ofMinutes(2));
    LaneTransport transport = new LaneTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, new LaneRule.PerMailbox(IDENTITIES, pacing));
    for (int i = 0; i < 8; i++) {
      scheduler.submit(message("m-scan-" + i, "printer@scan.example", "r" + i + "@example.net"));
    }
    scheduler.runDue().join();

    assertThat(transport.perSender).containsEntry("printer@scan.example", 5);
    assertThat(scheduler.inMemory()).as("the rest waits on disk, not in the window").isZero();
    assertThat(spool.parked).hasSize(3);
    assertThat(spool.messages.values()).allSatisfy(m -> assertThat(m.attempts()).isZero());
    assertThat(results).containsOnly(AttemptResult.DELIVERED);

    clock.advance(Duration.ofHours(24));
    scheduler.runDue().join();
    assertThat(transport.perSender).containsEntry("printer@scan.example", 8);
    assertThat(spool.messages).isEmpty();
  }

  private DeliveryScheduler scheduler(Transport transport, LaneRule rule) {
    RelayMetrics metrics = new RelayMetrics() {
      @Override
      public void connection(String listener, String connector, boolean accepted) {}

      @Override
      public void messageAccepted(String connector, long bytes) {}

      @Override
      public void messageRejected(relay.core.metrics.SmtpStage stage, int code) {}

      @Override
      public void deliveryAttempt(String connector, AttemptResult result) {
        results.add(result);
      }

      @Override
      public void deliveryDelay(String connector, Duration delay) {}
    };
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, transport, "m365",
        new LaneLimits(24, 100, true, rule), new RetryPolicy(SCHEDULE), clock, new SplittableRandom(1),
        TrackingLog.all(List.of(events::add, new TrackedMetrics(metrics))), Optional.empty());
    schedulers.add(scheduler);
    return scheduler;
  }

  private QueuedMessage message(String id, String sender, String recipient) {
    Recipient rcpt = Recipient.of(MailPath.parse(recipient));
    Envelope envelope = new Envelope(MailPath.parse(sender), MailParameters.NONE, List.of(rcpt),
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), clock.instant());
    byte[] body = "Subject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope, List.of(RecipientState.pending(rcpt)), 0,
        clock.instant(), body.length, "m365", false);
    spool.put(message, body);
    return message;
  }

  /**
   * Records what was sent per sender and per recipient domain, and the most attempts under way at
   * once for one sender or domain (what a lane must bound). Thread-safe.
   */
  private static final class LaneTransport implements Transport {
    final Function<Recipient, RecipientOutcome> answer;
    final Map<String, Integer> perSender = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> underWay = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> startedPerDomain = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> completedPerDomain = new ConcurrentHashMap<>();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    volatile java.util.function.Consumer<DeliveryRequest> before = r -> {};

    LaneTransport(Function<Recipient, RecipientOutcome> answer) {
      this.answer = answer;
    }

    int started(String domain) {
      return startedPerDomain.getOrDefault(domain, new AtomicInteger()).get();
    }

    int completed(String domain) {
      return completedPerDomain.getOrDefault(domain, new AtomicInteger()).get();
    }

    @Override
    public List<RecipientOutcome> deliver(DeliveryRequest request) {
      String sender = request.sender().address();
      String domain = request.recipients().getFirst().address().domain().name();
      String key = domain.endsWith("example.net") ? sender : domain;
      perSender.merge(sender, 1, Integer::sum);
      startedPerDomain.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
      AtomicInteger now = underWay.computeIfAbsent(key, k -> new AtomicInteger());
      mostAtOnce.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        before.accept(request);
        return request.recipients().stream().map(answer).toList();
      } finally {
        now.decrementAndGet();
        completedPerDomain.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
      }
    }
  }
}
