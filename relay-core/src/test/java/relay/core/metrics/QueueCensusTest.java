package relay.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.RecipientOutcome;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;
import relay.core.reply.SmtpReply;
import relay.core.schedule.DeliveryScheduler;
import relay.core.schedule.LaneLimits;
import relay.core.schedule.RetryPolicy;
import relay.core.schedule.RetrySchedule;
import relay.core.spool.FileSpool;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.SpoolTransaction;
import relay.core.tracking.TrackingLog;

/**
 * The queue census on a real file spool and scheduler: messages in memory, parked and held per
 * connector, mail waiting for a connector that is gone, the oldest arrival, and the reuse of a census
 * for a few seconds.
 */
class QueueCensusTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
  private static final RetrySchedule SCHEDULE =
      new RetrySchedule(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), 0.0, Duration.ofDays(2));

  @TempDir Path root;
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private FileSpool spool;
  private DeliveryScheduler scheduler;
  private QueueCensus census;

  @BeforeEach
  void open() throws IOException {
    spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, now::get, new SplittableRandom(5));
    spool.open();
    // A window of two: the third and later messages wait on disk.
    scheduler = new DeliveryScheduler(spool, request -> request.recipients().stream()
        .<RecipientOutcome>map(r -> new RecipientOutcome.Delivered(r, new AttemptReport.Replied(SmtpReply.of(250, "2.0.0", "ok"))))
        .toList(), "smart", new LaneLimits(1, 2, false), new RetryPolicy(SCHEDULE), now::get, new SplittableRandom(1),
        TrackingLog.NONE, Optional.empty());
    census = new QueueCensus(spool, () -> Map.of("smart", scheduler), now::get, Duration.ofSeconds(10));
  }

  @AfterEach
  void close() throws IOException {
    scheduler.close();
    spool.close();
  }

  @Test
  void countsEachConnectorsMessagesByWhereTheyWaitAndTellsTheOldestArrival() throws Exception {
    for (int i = 0; i < 5; i++) {
      scheduler.submit(commit("smart"));
      now.set(now.get().plusSeconds(40));
    }
    QueuedMessage held = held(commit("smart"));
    spool.update(held);
    scheduler.submit(held);
    spool.park(commit("retired")); // its connector was removed from the configuration

    Map<String, ConnectorQueue> taken = census.take();

    assertThat(taken).containsOnlyKeys("smart", "retired");
    ConnectorQueue smart = taken.get("smart");
    assertThat(smart.count(QueueState.ACTIVE)).as("in the window").isEqualTo(2);
    assertThat(smart.count(QueueState.DEFERRED)).as("did not fit the window").isEqualTo(3);
    assertThat(smart.count(QueueState.HELD)).isEqualTo(1);
    assertThat(smart.oldest()).as("the first message, in memory: to the millisecond").contains(T0);
    assertThat(smart.mailboxes()).isEmpty();
    ConnectorQueue retired = taken.get("retired");
    assertThat(retired.count(QueueState.HELD)).as("waits for an operator").isEqualTo(1);
    assertThat(retired.count(QueueState.ACTIVE) + retired.count(QueueState.DEFERRED)).isZero();
    assertThat(retired.oldest()).get().satisfies(at -> assertThat(at).isBetween(now.get().minusSeconds(33), now.get()));

    assertThat(smart.oldestAge(T0.plus(Duration.ofHours(1)))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void oldestComesFromDiskWhenTheEarliestMessageWaitsThere() throws Exception {
    QueuedMessage first = commit("smart");
    QueuedMessage deferred = first.withState(first.recipients(), 1, T0.plus(Duration.ofMinutes(30)));
    spool.update(deferred);
    scheduler.recovered(deferred); // not due within the minute: parked
    now.set(T0.plus(Duration.ofMinutes(5)));
    scheduler.submit(commit("smart"));

    ConnectorQueue smart = census.take().get("smart");

    assertThat(smart.active()).isEqualTo(1);
    assertThat(smart.deferred()).isEqualTo(1);
    assertThat(smart.oldest()).get().satisfies(at -> assertThat(at).isBetween(T0.minusSeconds(33), T0));
  }

  @Test
  void emptyQueueHasNoOldestAndAnAgeOfZero() {
    ConnectorQueue smart = census.take().get("smart");

    assertThat(smart.oldest()).isEmpty();
    assertThat(smart.oldestAge(T0)).isZero();
    assertThat(smart.active() + smart.deferred() + smart.held()).isZero();
  }

  @Test
  void aCensusIsReusedForItsMaximumAgeThenTakenAgain() throws Exception {
    Map<String, ConnectorQueue> first = census.latest();
    scheduler.submit(commit("smart"));

    now.set(T0.plusSeconds(9));
    assertThat(census.latest()).isSameAs(first);
    now.set(T0.plusSeconds(10));
    assertThat(census.latest().get("smart").active()).isEqualTo(1);
  }

  private QueuedMessage commit(String connector) throws IOException {
    Recipient rcpt = Recipient.of(MailPath.parse("someone@example.com"));
    Envelope envelope = new Envelope(MailPath.parse("printer@example.com"), MailParameters.NONE, List.of(rcpt),
        new ClientInfo("192.0.2.7", 40000, "printer", false, "lan"), now.get());
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
      return transaction.commit(envelope).withConnector(connector);
    }
  }

  private static QueuedMessage held(QueuedMessage message) {
    return message.withState(message.recipients().stream()
        .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 1,
            new AttemptReport.Replied(SmtpReply.of(535, "5.7.139", "disabled"))))
        .toList(), 1, message.nextAttemptAt());
  }
}
