package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.reply.SmtpReply;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingLog;

/**
 * A backlog far larger than the in-memory window, run as a whole schedule under a test clock: the
 * upstream is down while the mail arrives, comes back, and the backlog drains. The window, not the
 * queue, bounds what the scheduler holds.
 */
class DeliveryWindowTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule TEN_MINUTES =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final int MESSAGES = 20_000;
  private static final int WINDOW = 200;

  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();

  @Test
  void backlogFarLargerThanTheWindowIsHeldToTheWindowAndDrainsCompletelyOnceTheUpstreamIsBack() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, new AttemptReport.Replied(SmtpReply.of(421, "4.3.2", "down"))));
    AtomicInteger mostInMemory = new AtomicInteger();
    DeliveryScheduler scheduler = scheduler(transport, 20);
    transport.duringDelivery = () -> mostInMemory.accumulateAndGet(scheduler.inMemory(), Math::max);

    for (int i = 0; i < MESSAGES; i++) {
      scheduler.submit(message(i));
      mostInMemory.accumulateAndGet(scheduler.inMemory(), Math::max);
    }
    scheduler.runDue().join();

    assertThat(transport.requests).as("every message tried once while the upstream is down").hasSize(MESSAGES);
    assertThat(scheduler.inMemory()).as("deferred mail waits on disk, not in memory").isZero();
    assertThat(spool.parked).hasSize(MESSAGES);

    transport.answer = r -> new RecipientOutcome.Delivered(r, new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok")));
    clock.advance(Duration.ofMinutes(10));
    scheduler.runDue().join();

    assertThat(spool.messages).as("the whole backlog drained").isEmpty();
    assertThat(spool.removed).hasSize(MESSAGES);
    assertThat(mostInMemory.get()).as("messages held in memory at once").isLessThanOrEqualTo(WINDOW);
  }

  @Test
  void unreachableUpstreamPausesTheConnectorInsteadOfFailingEveryQueuedMessage() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r,
        new AttemptReport.Local(LocalCause.CONNECTION_FAILED, "127.0.0.1:25: Connection refused")));
    DeliveryScheduler scheduler = scheduler(transport, new LaneLimits(5, WINDOW, true));
    for (int i = 0; i < 1_000; i++) {
      scheduler.submit(message(i));
    }

    scheduler.runDue().join();

    // The attempts under way when the first failure pauses the connector (1 to 5 of them) are the probe.
    int probes = transport.requests.size();
    assertThat(probes).as("one round of probes, then the pause").isBetween(1, 5);
    assertThat(scheduler.pausedUntil()).contains(T0.plus(Duration.ofMinutes(5)));
    assertThat(spool.updates).as("mail that waits out the pause gets no attempt and no state write").hasSize(probes);

    clock.advance(Duration.ofMinutes(5));
    scheduler.runDue().join();
    assertThat(transport.requests.size() - probes).as("the next probe round").isBetween(1, 5);

    transport.answer = r -> new RecipientOutcome.Delivered(r, OK);
    clock.advance(Duration.ofMinutes(10));
    scheduler.runDue().join();
    assertThat(spool.messages).as("everything goes once the upstream is back").isEmpty();
    assertThat(spool.removed).hasSize(1_000);
  }

  @Test
  void newMailIsNotStarvedBehindADrainingBacklog() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, 1);
    for (int i = 0; i < 100; i++) {
      scheduler.recovered(message(i));
    }
    QueuedMessage fresh = message(1_000);
    scheduler.submit(fresh);

    scheduler.runDue().join();

    int position = transport.requests.stream().map(r -> r.id()).toList().indexOf(fresh.id());
    assertThat(position).as("new mail takes every other slot while a backlog drains").isLessThanOrEqualTo(1);
    assertThat(transport.requests.getLast().id()).isEqualTo(message(99).id());
  }

  @Test
  void waitingForASlotIsNoAttempt() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, 1);
    for (int i = 0; i < 5; i++) {
      scheduler.submit(message(i));
    }

    scheduler.runDue().join();

    assertThat(transport.requests).hasSize(5);
    assertThat(spool.updates).as("no state written for mail that only waited its turn").isEmpty();
  }

  @Test
  void releaseKeepsTheConnectorAndTheTlsRequirement() throws Exception {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, 4);
    QueuedMessage queued = message(1);
    QueuedMessage held = new QueuedMessage(queued.id(), queued.envelope(),
        List.of(new RecipientState(queued.envelope().recipients().getFirst(), RecipientStatus.HELD, 1,
            new AttemptReport.Replied(SmtpReply.of(535, "5.7.139", "disabled")))),
        1, T0, queued.bodySize(), "smart", true);
    spool.update(held);
    scheduler.submit(held);
    scheduler.runDue().join();
    assertThat(transport.requests).isEmpty();

    assertThat(scheduler.release(held.id())).isTrue();
    scheduler.runDue().join();

    QueuedMessage released = spool.updates.getLast();
    assertThat(released.connector()).isEqualTo("smart");
    assertThat(released.requireTls()).isTrue();
    assertThat(transport.requests).singleElement().satisfies(r -> assertThat(r.requireTls()).isTrue());
    assertThat(spool.removed).containsExactly(held.id());
  }

  @Test
  void suspendedMessageWaitsUntilResumedAndSuspendedConnectorStartsNothing() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.Delivered(r, OK));
    DeliveryScheduler scheduler = scheduler(transport, 4);
    QueuedMessage kept = message(1);
    QueuedMessage other = message(2);
    scheduler.recovered(kept);
    scheduler.recovered(other);

    assertThat(scheduler.suspend(kept.id())).isTrue();
    scheduler.suspend();
    scheduler.runDue().join();
    assertThat(transport.requests).isEmpty();

    scheduler.resume();
    scheduler.runDue().join();
    assertThat(transport.requests).extracting(r -> r.id()).containsExactly(other.id());
    assertThat(scheduler.held()).extracting(QueuedMessage::id).containsExactly(kept.id());
    assertThat(scheduler.held().getFirst().recipients().getFirst().lastReply().line()).isEqualTo(DeliveryScheduler.SUSPENDED);

    assertThat(scheduler.release(kept.id())).isTrue();
    scheduler.runDue().join();
    assertThat(spool.removed).containsExactlyInAnyOrder(kept.id(), other.id());
  }

  @Test
  void anOperatorRetriesOneMessageOrAllAtOnceAndRemovesAnother() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r,
        new AttemptReport.Replied(SmtpReply.of(421, "4.3.2", "down"))));
    DeliveryScheduler scheduler = scheduler(transport, 4);
    List<QueuedMessage> messages = List.of(message(1), message(2), message(3), message(4));
    messages.forEach(scheduler::recovered);
    scheduler.runDue().join();
    assertThat(transport.requests).hasSize(4); // each deferred for ten minutes
    transport.answer = r -> new RecipientOutcome.Delivered(r, OK);
    clock.advance(Duration.ofMinutes(1));
    scheduler.runDue().join();
    assertThat(transport.requests).hasSize(4);

    assertThat(scheduler.retryNow(messages.get(0).id())).isTrue();
    scheduler.runDue().join();
    assertThat(spool.removed).containsExactly(messages.get(0).id());
    assertThat(scheduler.retryNow(messages.get(0).id())).isFalse(); // gone

    assertThat(scheduler.remove(messages.get(1).id(), false)).isEqualTo(DeliveryScheduler.Removal.REMOVED);
    assertThat(scheduler.remove(messages.get(1).id(), false)).isEqualTo(DeliveryScheduler.Removal.NOT_QUEUED);
    scheduler.retryAll();
    scheduler.runDue().join();
    assertThat(transport.requests).hasSize(4 + 1 + 2);
    assertThat(spool.removed).containsExactlyInAnyOrder(messages.stream().map(QueuedMessage::id).toArray(MessageId[]::new));
    clock.advance(Duration.ofHours(1));
    scheduler.runDue().join();
    assertThat(transport.requests).as("the removed message is never tried again").hasSize(7);
  }

  private DeliveryScheduler scheduler(ScriptedTransport transport, int maxInFlight) {
    return scheduler(transport, new LaneLimits(maxInFlight, WINDOW, false));
  }

  private DeliveryScheduler scheduler(ScriptedTransport transport, LaneLimits limits) {
    return new DeliveryScheduler(spool, transport, "smart", limits, new RetryPolicy(TEN_MINUTES), clock,
        new SplittableRandom(1), TrackingLog.NONE, Optional.empty());
  }

  private QueuedMessage message(int n) {
    Recipient rcpt = Recipient.of(MailPath.parse("r" + n + "@example.com"));
    Envelope envelope = new Envelope(MailPath.parse("printer@example.com"), MailParameters.NONE, List.of(rcpt),
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), T0);
    byte[] body = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(String.format("m%06d", n)), envelope,
        List.of(RecipientState.pending(rcpt)), 0, T0, body.length, "smart", false);
    spool.put(message, body);
    return message;
  }
}
