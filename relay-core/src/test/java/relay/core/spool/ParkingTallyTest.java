package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.core.delivery.AttemptReport;
import relay.core.envelope.MessageId;
import relay.core.reply.SmtpReply;

/**
 * What the spool tells the metrics about parked and held mail without listing its index: how many
 * messages wait, and when the earliest-accepted of them arrived (from the queue ids), kept up to date
 * as messages are parked, taken, released and brought forward, and counted afresh from disk at start.
 */
class ParkingTallyTest {

  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

  @TempDir Path root;
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final InstantSource clock = now::get;

  @Test
  void queueIdTellsWhenItsMessageArrived() {
    MessageId id = new MessageIdSource(InstantSource.fixed(T0.plusMillis(123)), new SplittableRandom(3)).next();

    assertThat(MessageIdSource.timeOf(id)).contains(T0.plusMillis(123));
    assertThat(MessageIdSource.periodStart(id.value().substring(0, MarkerTally.PERIOD_CHARS))).get()
        .satisfies(start -> assertThat(Duration.between(start, T0.plusMillis(123))).isBetween(Duration.ZERO, Duration.ofSeconds(33)));
    assertThat(MessageIdSource.timeOf(new MessageId("m000001"))).as("not made by the spool").isEmpty();
    assertThat(MessageIdSource.periodStart("ab-")).isEmpty();
  }

  @Test
  void deferredAndHeldMessagesAreCountedWithTheirEarliestArrivalAsTheyComeAndGo() throws Exception {
    try (FileSpool spool = open()) {
      QueuedMessage first = deferred(spool, Duration.ofMinutes(30));
      now.set(T0.plus(Duration.ofHours(1)));
      QueuedMessage second = deferred(spool, Duration.ofMinutes(5));
      QueuedMessage third = deferred(spool, Duration.ofHours(2));

      assertThat(spool.parkedCount("smart")).isEqualTo(3);
      assertThat(spool.heldCount("smart")).isZero();
      assertThat(spool.oldestWaiting("smart")).get().satisfies(at -> assertArrivedAround(at, T0));
      assertThat(spool.oldestWaiting("other")).isEmpty();

      // The first one's turn comes: it leaves the index, and the earliest arrival moves on.
      assertThat(spool.unpark("smart", T0.plus(Duration.ofMinutes(31)), 10)).extracting(QueuedMessage::id)
          .containsExactly(first.id());
      assertThat(spool.parkedCount("smart")).isEqualTo(2);
      assertThat(spool.oldestWaiting("smart")).get().satisfies(at -> assertArrivedAround(at, T0.plus(Duration.ofHours(1))));

      QueuedMessage held = held(first);
      spool.update(held);
      spool.park(held);
      assertThat(spool.heldCount("smart")).isEqualTo(1);
      assertThat(spool.oldestWaiting("smart")).as("held mail counts too").get().satisfies(at -> assertArrivedAround(at, T0));

      spool.update(first); // released
      assertThat(spool.heldCount("smart")).isZero();

      spool.bringForward("smart", T0.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(10)));
      assertThat(spool.parkedCount("smart")).as("moved, not multiplied").isEqualTo(2);
      assertThat(spool.unpark("smart", T0.plus(Duration.ofHours(2)), 10)).extracting(QueuedMessage::id)
          .containsExactlyInAnyOrder(second.id(), third.id());
      assertThat(spool.parkedCount("smart")).isZero();
      assertThat(spool.oldestWaiting("smart")).isEmpty();
    }
  }

  @Test
  void aMessageMarkedInTwoSlotsCountsOnceAfterBeingBroughtForward() throws Exception {
    try (FileSpool spool = open()) {
      QueuedMessage message = deferred(spool, Duration.ofHours(3));
      // As after a crash: recovery parks the message again under another due time, the old marker stays.
      spool.park(message.withState(message.recipients(), 1, T0.plus(Duration.ofHours(5))));
      assertThat(spool.parkedCount("smart")).as("two markers").isEqualTo(2);

      spool.bringForward("smart", T0.plus(Duration.ofMinutes(1)));

      assertThat(spool.parkedCount("smart")).isEqualTo(1);
      assertThat(markers("parked")).hasSize(1);
    }
  }

  @Test
  void countsAreTakenAfreshFromTheIndexAtStartAndFollowOnlyTheSpoolsOwnChangesAfterwards() throws Exception {
    try (FileSpool spool = open()) {
      for (int i = 0; i < 5; i++) {
        deferred(spool, Duration.ofMinutes(10 + i));
      }
      QueuedMessage held = held(deferred(spool, Duration.ofMinutes(20)));
      spool.update(held);
      spool.park(held);
    }

    try (FileSpool restarted = open()) {
      restarted.recover(m -> { });
      assertThat(restarted.parkedCount("smart")).isEqualTo(6);
      assertThat(restarted.heldCount("smart")).isEqualTo(1);
      assertThat(restarted.oldestWaiting("smart")).get().satisfies(at -> assertArrivedAround(at, T0));

      // A marker deleted by hand is not seen until the next start: the counts are never a listing.
      Files.delete(markers("parked").getFirst());
      assertThat(restarted.parkedCount("smart")).isEqualTo(6);
    }
    try (FileSpool again = open()) {
      again.recover(m -> { });
      assertThat(again.parkedCount("smart")).isEqualTo(5);
    }
  }

  private FileSpool open() throws IOException {
    FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, clock, new SplittableRandom(7));
    spool.open();
    return spool;
  }

  /** A new message of connector "smart", parked after a failed attempt until {@code wait} from now. */
  private QueuedMessage deferred(FileSpool spool, Duration wait) throws IOException {
    QueuedMessage message = commit(spool, text("x\r\n")).withConnector("smart");
    QueuedMessage deferred = message.withState(message.recipients(), 1, now.get().plus(wait));
    spool.update(deferred);
    spool.park(deferred);
    return deferred;
  }

  private static QueuedMessage held(QueuedMessage message) {
    return message.withState(message.recipients().stream()
        .map(r -> new RecipientState(r.recipient(), RecipientStatus.HELD, 1,
            new AttemptReport.Replied(SmtpReply.of(535, "5.7.139", "disabled"))))
        .toList(), 1, message.nextAttemptAt());
  }

  private List<Path> markers(String index) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve(index))) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** The earliest arrival is the start of the id's arrival period: up to about 33 s before the arrival. */
  private static void assertArrivedAround(Instant reported, Instant arrival) {
    assertThat(Duration.between(reported, arrival)).isBetween(Duration.ZERO, Duration.ofSeconds(33));
  }
}
