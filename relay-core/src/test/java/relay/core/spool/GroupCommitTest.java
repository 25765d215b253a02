package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  /** Start and end of one force on a shared event sequence. */
  private record ForceSpan(long start, long end) {}

  /** A force that logs its span and, for the first force only, waits for the test's go-ahead. */
  private static final class RecordingForce implements GroupCommit.Force {
    final AtomicLong events;
    final List<ForceSpan> spans = new CopyOnWriteArrayList<>();
    final CountDownLatch firstMayFinish = new CountDownLatch(1);
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final AtomicInteger count = new AtomicInteger();

    RecordingForce(AtomicLong events) {
      this.events = events;
    }

    @Override
    public void run() throws IOException {
      long start = events.incrementAndGet();
      if (count.incrementAndGet() == 1) {
        firstStarted.countDown();
        try {
          firstMayFinish.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      spans.add(new ForceSpan(start, events.incrementAndGet()));
    }
  }

  @Test
  void callersArrivingDuringAForceShareTheNextForceThatStartsAfterThem() throws Exception {
    AtomicLong events = new AtomicLong();
    RecordingForce force = new RecordingForce(events);
    GroupCommit sync = new GroupCommit(force);
    int callers = 20;
    List<long[]> renameAndReturn = new CopyOnWriteArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      done.add(threads.submit(() -> call(sync, events, renameAndReturn)));
      assertThat(force.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < callers; i++) {
        done.add(threads.submit(() -> call(sync, events, renameAndReturn)));
      }
      await().until(() -> sync.waitingCallers() == callers - 1);
      force.firstMayFinish.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    }

    assertThat(force.count).hasValue(2);
    assertThat(renameAndReturn).hasSize(callers);
    for (long[] call : renameAndReturn) {
      assertThat(force.spans)
          .as("a force that started after the rename (%d) and ended before return (%d)", call[0], call[1])
          .anyMatch(span -> span.start() > call[0] && span.end() < call[1]);
    }
  }

  @Test
  void sequentialCallersEachGetTheirOwnForce() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    GroupCommit sync = new GroupCommit(forces::incrementAndGet);

    sync.sync();
    sync.sync();
    sync.sync();

    assertThat(forces).hasValue(3);
  }

  @Test
  void aFailedForceFailsItsCallerAndTheNextCallForcesAgain() throws Exception {
    AtomicBoolean failNext = new AtomicBoolean(true);
    AtomicInteger forces = new AtomicInteger();
    GroupCommit sync =
        new GroupCommit(
            () -> {
              forces.incrementAndGet();
              if (failNext.getAndSet(false)) {
                throw new IOException("disk said no");
              }
            });

    assertThatThrownBy(sync::sync).isInstanceOf(IOException.class).hasRootCauseMessage("disk said no");
    sync.sync();

    assertThat(forces).hasValue(2);
  }

  @Test
  void realForceSucceedsOnADirectoryAndFailsOnAMissingOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    GroupCommit.of(dir).sync();

    assertThatThrownBy(() -> GroupCommit.of(dir.resolve("missing")).sync())
        .isInstanceOf(IOException.class)
        .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  private static Void call(GroupCommit sync, AtomicLong events, List<long[]> log)
      throws IOException {
    long rename = events.incrementAndGet();
    sync.sync();
    log.add(new long[] {rename, events.incrementAndGet()});
    return null;
  }
}
