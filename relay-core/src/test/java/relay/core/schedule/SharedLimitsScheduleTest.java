package relay.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.connector.Pacing;
import relay.core.connector.SenderIdentities;
import relay.core.connector.SenderIdentity;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.RecipientOutcome;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.limits.LaneClaim;
import relay.core.limits.SharedGrant;
import relay.core.limits.SharedLimits;
import relay.core.reply.SmtpReply;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.testing.MemorySpool;
import relay.core.tracking.TrackingEvent;

/**
 * A store shared with other nodes refusing a turn that the node's own lanes granted: the message
 * goes back to its lane's line until the time the store gave, nothing of the refused turn stays
 * counted on this node, and no attempt is made or recorded; once the store grants, it is delivered
 * and its lease released once with the outcome.
 */
class SharedLimitsScheduleTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final Pacing PACING = new Pacing(3, 30, Duration.ofMinutes(1), 10_000, Duration.ofHours(24), 100,
      Duration.ofMinutes(5), Duration.ofMinutes(2));
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));
  private static final AttemptReport OK = new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"));
  private static final SenderIdentities IDENTITIES = new SenderIdentities(List.of(
      new SenderIdentity("*@scan.example", "scanner@example.com", null, null)));

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();
  private final List<TrackingEvent> events = new CopyOnWriteArrayList<>();
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final ScriptedStore store = new ScriptedStore();
  private final DeliveryScheduler scheduler = new DeliveryScheduler(spool, request -> {
    sent.add(request.recipients().getFirst().address().address());
    return request.recipients().stream().<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, OK)).toList();
  }, "m365", new LaneLimits(24, 100, true, new LaneRule.PerMailbox(IDENTITIES, PACING)), new RetryPolicy(SCHEDULE),
      clock, new SplittableRandom(1), events::add, Optional.empty(), store);

  @AfterEach
  void close() {
    scheduler.close();
  }

  @Test
  void aTurnTheSharedStoreRefusesWaitsInLineWithoutAnAttemptAndGoesWhenTheStoreAllows() {
    store.answer.set(new SharedGrant.Wait(0, T0.plusSeconds(20), "30 messages per window reached"));
    scheduler.submit(message("m-1", "r1@example.net"));

    scheduler.runDue().join();
    assertThat(sent).as("nothing sent while the store says not yet").isEmpty();
    assertThat(events).as("waiting is no attempt").isEmpty();
    assertThat(scheduler.waiting()).as("waits in its lane, in memory").isEqualTo(1);
    assertThat(scheduler.mailboxUse()).singleElement().satisfies(use -> {
      assertThat(use.sessions()).as("the refused turn holds no session here").isZero();
      assertThat(use.messages()).as("nor counts as a message").isZero();
      assertThat(use.recipients()).isZero();
    });
    assertThat(store.claims.getFirst()).isEqualTo(
        new LaneClaim("scanner@example.com", 1, 1, 3, Optional.of(PACING)));

    clock.advance(Duration.ofSeconds(10));
    scheduler.runDue().join();
    assertThat(store.claims).as("not asked again before the time the store gave").hasSize(1);

    store.answer.set(new SharedGrant.Granted("lease-1"));
    clock.advance(Duration.ofSeconds(10));
    scheduler.runDue().join();

    assertThat(sent).containsExactly("r1@example.net");
    assertThat(spool.messages).isEmpty();
    assertThat(store.released).containsExactly("lease-1");
    assertThat(events).singleElement().isInstanceOfSatisfying(TrackingEvent.Delivery.class,
        d -> assertThat(d.result()).isEqualTo(TrackingEvent.Result.DELIVERED));
  }

  @Test
  void anUnreachableStoreIsAWaitTooAndTheMessageIsNotLost() {
    store.answer.set(new SharedGrant.Unavailable(T0.plusSeconds(1), "cluster store unreachable"));
    scheduler.submit(message("m-1", "r1@example.net"));
    scheduler.runDue().join();
    clock.advance(Duration.ofSeconds(1));
    scheduler.runDue().join();

    assertThat(sent).isEmpty();
    assertThat(events).isEmpty();
    assertThat(store.claims).as("asked again once the store's retry time came").hasSize(2);
    assertThat(spool.messages).containsOnlyKeys(new MessageId("m-1"));

    store.answer.set(new SharedGrant.Granted("lease-2"));
    clock.advance(Duration.ofSeconds(1));
    scheduler.runDue().join();
    assertThat(sent).containsExactly("r1@example.net");
  }

  private QueuedMessage message(String id, String recipient) {
    Recipient rcpt = Recipient.of(MailPath.parse(recipient));
    Envelope envelope = new Envelope(MailPath.parse("printer@scan.example"), MailParameters.NONE, List.of(rcpt),
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), clock.instant());
    byte[] body = "Subject: scan\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope, List.of(RecipientState.pending(rcpt)), 0,
        clock.instant(), body.length, "m365", false);
    spool.put(message, body);
    return message;
  }

  /** A store that answers what the test says and remembers what it was asked. */
  private static final class ScriptedStore implements SharedLimits {
    final AtomicReference<SharedGrant> answer = new AtomicReference<>();
    final List<LaneClaim> claims = new CopyOnWriteArrayList<>();
    final List<String> released = new CopyOnWriteArrayList<>();

    @Override
    public SharedGrant acquire(String connector, List<LaneClaim> asked, Instant now) {
      claims.addAll(asked);
      return answer.get();
    }

    @Override
    public void release(SharedGrant.Granted grant, boolean throttled, Duration restAtLeast, Instant now) {
      released.add(grant.id());
    }

    @Override
    public void close() {}
  }
}
