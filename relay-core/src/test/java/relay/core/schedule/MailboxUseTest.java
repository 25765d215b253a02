package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingLog;

/**
 * What a Microsoft 365 connector's scheduler reports of each mailbox's use of its limits, as its
 * ready lane is used: sessions under way, messages in the current minute, recipients in the day,
 * against the configured limits (and the sessions limit lowered after throttling).
 */
class MailboxUseTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));
  private static final AttemptReport THROTTLED =
      new AttemptReport.Replied(SmtpReply.of(432, "4.3.2", "STOREDRV.ClientSubmit; sender thread limit exceeded"));
  private static final SenderIdentities IDENTITIES = new SenderIdentities(List.of(
      new SenderIdentity("*@scan.example", "Scanner@Example.com", null, null),
      new SenderIdentity("*@fax.example", "scanner@example.com", null, null),
      new SenderIdentity("*@erp.example", "erp@example.com", null, null)));
  // 2 sessions, 5 messages a minute, 100 recipients a day per mailbox.
  private static final Pacing PACING = new Pacing(2, 5, Duration.ofMinutes(1), 100, Duration.ofHours(24), 50,
      Duration.ofMinutes(5), Duration.ofMinutes(2));

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();
  private final CountDownLatch hold = new CountDownLatch(1);
  private final AtomicInteger underWay = new AtomicInteger();
  private volatile boolean throttle;
  private DeliveryScheduler scheduler;

  @AfterEach
  void close() {
    hold.countDown();
    if (scheduler != null) {
      scheduler.close();
    }
  }

  @Test
  void everyConfiguredMailboxIsReportedOnceWithItsLimitsBeforeAnythingIsSent() {
    scheduler = scheduler(new LaneRule.PerMailbox(IDENTITIES, PACING));

    assertThat(scheduler.mailboxUse()).containsExactly(
        new MailboxUse("scanner@example.com", 0, 2, 0, 5, 0, 100),
        new MailboxUse("erp@example.com", 0, 2, 0, 5, 0, 100));
  }

  @Test
  void useFollowsTheLaneSessionsWhileSendingMessagesForAMinuteRecipientsForADay() throws Exception {
    scheduler = scheduler(new LaneRule.PerMailbox(IDENTITIES, PACING));
    for (int i = 0; i < 3; i++) {
      scheduler.submit(message("m-scan-" + i, "printer@scan.example", 2));
    }

    CompletableFuture<Void> running = scheduler.runDue();
    waitUntil(() -> underWay.get() == 2);
    assertThat(scheduler.mailboxUse().getFirst()).as("two sessions under way, the third message waits its turn")
        .isEqualTo(new MailboxUse("scanner@example.com", 2, 2, 2, 5, 4, 100));

    hold.countDown();
    running.get(10, TimeUnit.SECONDS);
    assertThat(scheduler.mailboxUse().getFirst()).isEqualTo(new MailboxUse("scanner@example.com", 0, 2, 3, 5, 6, 100));
    assertThat(scheduler.mailboxUse().get(1)).as("the other mailbox sent nothing")
        .isEqualTo(new MailboxUse("erp@example.com", 0, 2, 0, 5, 0, 100));

    clock.advance(Duration.ofMinutes(1));
    assertThat(scheduler.mailboxUse().getFirst()).as("a minute later the messages are out of the window, the recipients not")
        .isEqualTo(new MailboxUse("scanner@example.com", 0, 2, 0, 5, 6, 100));
    clock.advance(Duration.ofHours(24));
    assertThat(scheduler.mailboxUse().getFirst()).isEqualTo(new MailboxUse("scanner@example.com", 0, 2, 0, 5, 0, 100));
  }

  @Test
  void throttlingLowersTheSessionLimitShown() {
    hold.countDown();
    throttle = true;
    scheduler = scheduler(new LaneRule.PerMailbox(IDENTITIES, PACING));
    scheduler.submit(message("m-erp-0", "app@erp.example", 1));

    scheduler.runDue().join();

    assertThat(scheduler.mailboxUse().get(1).sessionLimit()).isEqualTo(1);
  }

  @Test
  void connectorsWithoutMailboxesReportNone() {
    scheduler = scheduler(new LaneRule.PerDomain(4));
    scheduler.submit(message("m-0", "printer@scan.example", 1));
    hold.countDown();
    scheduler.runDue().join();

    assertThat(scheduler.mailboxUse()).isEmpty();
  }

  private DeliveryScheduler scheduler(LaneRule rule) {
    Transport transport = request -> {
      underWay.incrementAndGet();
      try {
        hold.await(10, TimeUnit.SECONDS);
      } finally {
        underWay.decrementAndGet();
      }
      return request.recipients().stream()
          .<RecipientOutcome>map(r -> throttle ? new RecipientOutcome.TransientFailure(r, THROTTLED)
              : new RecipientOutcome.Delivered(r, OK))
          .toList();
    };
    return new DeliveryScheduler(spool, transport, "m365", new LaneLimits(24, 100, true, rule),
        new RetryPolicy(SCHEDULE), clock, new SplittableRandom(1), TrackingLog.NONE, Optional.empty());
  }

  private QueuedMessage message(String id, String sender, int recipients) {
    List<Recipient> rcpts = java.util.stream.IntStream.range(0, recipients)
        .mapToObj(i -> Recipient.of(MailPath.parse("r" + i + "@example.net"))).toList();
    Envelope envelope = new Envelope(MailPath.parse(sender), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), clock.instant());
    byte[] body = "Subject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope,
        rcpts.stream().map(RecipientState::pending).toList(), 0, clock.instant(), body.length, "m365", false);
    spool.put(message, body);
    return message;
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
  }
}
