package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.commit;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.text;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a restart, the background recovery is the one route by which a message written before the
 * start enters delivery and the spool's size ({@code relay_spool_messages}) until recovery has
 * reached it: the parking index does not hand it over first, and a removal before then counts
 * nothing. Found by {@code SmartHostRelayTest}, which saw the gauge stuck at -1: a message parked
 * when the first relay stopped was taken from the index by the second relay's scheduler as it
 * started, delivered and removed (size 0 - 1) before recovery, which then found no file, got to it.
 */
class RecoveryFrontTest {

  private static final Instant LATER = SpoolFixtures.RECEIVED.plus(Duration.ofHours(1));

  @TempDir Path root;

  /** A message of connector "smart" written by a run before the restart, parked there (due at once). */
  private QueuedMessage parkedBeforeTheRestart(FileSpool before) throws Exception {
    QueuedMessage message = commit(before, text("x\r\n")).withConnector("smart");
    QueuedMessage deferred = message.withState(message.recipients(), 1, SpoolFixtures.RECEIVED);
    before.update(deferred);
    before.park(deferred);
    return deferred;
  }

  private FileSpool restarted() throws Exception {
    FileSpool spool = new FileSpool(root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(11));
    spool.open();
    return spool;
  }

  @Test
  void aMessageParkedBeforeARestartIsLeftToRecoveryAndCountedOnce() throws Exception {
    QueuedMessage parked;
    try (FileSpool before = spool(root)) {
      parked = parkedBeforeTheRestart(before);
    }
    try (FileSpool spool = restarted()) {
      assertThat(spool.unpark("smart", LATER, 10)).as("recovery has not reached it yet").isEmpty();
      List<QueuedMessage> found = new CopyOnWriteArrayList<>();
      spool.recover(found::add);

      assertThat(found).extracting(QueuedMessage::id).containsExactly(parked.id());
      assertThat(spool.size()).isEqualTo(1);
      spool.remove(found.getFirst());
      assertThat(spool.size()).isZero();
    }
  }

  @Test
  void aMessageRemovedBeforeRecoveryReachesItIsNeverCountedSoTheSizeNeverGoesBelowZero() throws Exception {
    QueuedMessage queued;
    try (FileSpool before = spool(root)) {
      queued = commit(before, text("x\r\n"));
    }
    try (FileSpool spool = restarted()) {
      // As an operator's removal by queue id does, while recovery has not got there.
      spool.remove(spool.read(queued.id()).orElseThrow());
      assertThat(spool.size()).isZero();
      List<QueuedMessage> found = new CopyOnWriteArrayList<>();
      spool.recover(found::add);

      assertThat(found).isEmpty();
      assertThat(spool.size()).isZero();
    }
  }

  @Test
  void whileRecoveryRunsWhatItHasReachedIsTakenUpAsUsualAndWhatIsAheadIsLeftToIt() throws Exception {
    QueuedMessage first;
    QueuedMessage second;
    try (FileSpool before = spool(root)) {
      first = parkedBeforeTheRestart(before);
      second = parkedBeforeTheRestart(before);
    }
    assertThat(first.id().value()).isLessThan(second.id().value()); // the order recovery walks them
    try (FileSpool spool = restarted()) {
      CountDownLatch atSecond = new CountDownLatch(1);
      CountDownLatch goOn = new CountDownLatch(1);
      List<QueuedMessage> found = new CopyOnWriteArrayList<>();
      Thread recovery = Thread.ofVirtual().start(() -> {
        try {
          spool.recover(m -> {
            found.add(m);
            if (m.id().equals(second.id())) {
              atSecond.countDown();
              await(goOn);
            }
          });
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      assertThat(atSecond.await(10, TimeUnit.SECONDS)).isTrue();

      // The first is behind the front: its marker is a hint like any other (the scheduler's window
      // drops the duplicate). The second is still being handed over: its marker is left to recovery.
      assertThat(spool.unpark("smart", LATER, 10)).extracting(QueuedMessage::id).containsExactly(first.id());
      assertThat(spool.size()).isEqualTo(2);
      spool.remove(found.getFirst());
      assertThat(spool.size()).as("the first was counted by recovery").isEqualTo(1);
      goOn.countDown();
      recovery.join(Duration.ofSeconds(10));

      assertThat(found).extracting(QueuedMessage::id).containsExactly(first.id(), second.id());
      assertThat(spool.size()).isEqualTo(1);
      spool.remove(found.getLast());
      assertThat(spool.size()).isZero();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the test did not let recovery go on");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
