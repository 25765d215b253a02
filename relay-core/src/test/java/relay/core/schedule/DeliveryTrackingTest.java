package relay.core.schedule;

import relay.core.tracking.TrackingLog;
import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.testing.Attempts.reply;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import relay.core.delivery.RecipientOutcome;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.MessageId;
import relay.core.envelope.Recipient;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingEvent.Result;
import relay.core.testing.MemorySpool;

/** Every delivery attempt leaves one tracking record per recipient it tried, with the outcome and reply. */
class DeliveryTrackingTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

  private final TestClock clock = new TestClock(T0);
  private final MemorySpool spool = new MemorySpool();
  private final List<TrackingEvent> events = new CopyOnWriteArrayList<>();
  private final List<DeliveryScheduler> schedulers = new ArrayList<>();

  @AfterEach
  void closeSchedulers() {
    schedulers.forEach(DeliveryScheduler::close);
  }

  private DeliveryScheduler scheduler(ScriptedTransport transport, RetrySchedule schedule) {
    DeliveryScheduler scheduler = new DeliveryScheduler(spool, transport, "partner", limits(4), new RetryPolicy(schedule),
        clock, new SplittableRandom(1), events::add, Optional.empty());
    schedulers.add(scheduler);
    return scheduler;
  }

  @Test
  void eachRecipientOfAnAttemptIsTrackedAsDeliveredDeferredFailedOrHeldWithItsReply() {
    ScriptedTransport transport = new ScriptedTransport(r -> switch (r.address().localPart()) {
      case "ok" -> new RecipientOutcome.Delivered(r, reply(250, "2.0.0", "Ok queued"));
      case "gone" -> new RecipientOutcome.PermanentFailure(r, reply(550, "5.1.1", "unknown user"));
      case "stuck" -> new RecipientOutcome.Held(r, reply(535, "5.7.3", "Authentication unsuccessful"));
      default -> new RecipientOutcome.TransientFailure(r, reply(451, "4.3.0", "try later"));
    });
    DeliveryScheduler scheduler = scheduler(transport,
        new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.0, Duration.ofDays(1)));
    scheduler.submit(queue("m1", "ok@example.com", "gone@example.com", "stuck@example.com", "later@example.com"));

    scheduler.runDue().join();

    assertThat(events).hasSize(4).allSatisfy(e -> {
      TrackingEvent.Delivery d = (TrackingEvent.Delivery) e;
      assertThat(d.id()).isEqualTo(new MessageId("m1"));
      assertThat(d.connector()).isEqualTo("partner");
      assertThat(d.at()).isEqualTo(T0);
    });
    assertThat(events).map(e -> (TrackingEvent.Delivery) e)
        .extracting(d -> List.<Object>of(d.recipient().address(), d.result(), d.report()))
        .containsExactlyInAnyOrder(
            List.of("ok@example.com", Result.DELIVERED, reply(250, "2.0.0", "Ok queued")),
            List.of("gone@example.com", Result.FAILED, reply(550, "5.1.1", "unknown user")),
            List.of("stuck@example.com", Result.HELD, reply(535, "5.7.3", "Authentication unsuccessful")),
            List.of("later@example.com", Result.DEFERRED, reply(451, "4.3.0", "try later")));
  }

  @Test
  void transientFailureAfterTheLifetimeIsTrackedAsExpired() {
    ScriptedTransport transport = new ScriptedTransport(r -> new RecipientOutcome.TransientFailure(r, reply(421, "4.4.2", "timeout")));
    DeliveryScheduler scheduler = scheduler(transport,
        new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofMinutes(15)));
    scheduler.submit(queue("m2", "a@example.com"));

    scheduler.runDue().join();
    clock.advance(Duration.ofMinutes(10));
    scheduler.runDue().join();

    assertThat(events).map(e -> ((TrackingEvent.Delivery) e).result()).containsExactly(Result.DEFERRED, Result.EXPIRED);
  }

  private QueuedMessage queue(String id, String... recipients) {
    List<Recipient> rcpts = java.util.Arrays.stream(recipients).map(a -> Recipient.of(MailPath.parse(a))).toList();
    Envelope envelope = new Envelope(MailPath.parse("printer@example.com"), MailParameters.NONE, rcpts,
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), T0);
    byte[] body = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    QueuedMessage message = new QueuedMessage(new MessageId(id), envelope,
        rcpts.stream().map(RecipientState::pending).toList(), 0, T0, body.length);
    spool.put(message, body);
    return message;
  }

  private static LaneLimits limits(int maxInFlight) {
    return new LaneLimits(maxInFlight, DeliveryScheduler.DEFAULT_WINDOW, false);
  }
}
