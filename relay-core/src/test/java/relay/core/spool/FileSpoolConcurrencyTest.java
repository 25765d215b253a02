package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.filesIn;
import static relay.core.spool.SpoolFixtures.readBody;
import static relay.core.spool.SpoolFixtures.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSpoolConcurrencyTest {

  private static final int THREADS = 20;
  private static final int COMMITS_PER_THREAD = 50;

  @TempDir Path root;

  @Test
  void concurrentCommitsAreAllRecoveredWithUniqueIdsAndEachWasCoveredByADirectorySync()
      throws Exception {
    Path queue = root.resolve("queue");
    // Names the queue held when a directory force began; a name is durable once that force ends.
    Set<String> durable = ConcurrentHashMap.newKeySet();
    AtomicInteger forces = new AtomicInteger();
    // One recording sync per bucket directory, as the spool keeps one per directory for group commit.
    Map<Path, GroupCommit> syncs = new ConcurrentHashMap<>();
    java.util.function.Function<Path, GroupCommit> recordingSync = dir -> syncs.computeIfAbsent(dir, d -> {
      GroupCommit realForce = GroupCommit.of(d);
      return new GroupCommit(
          () -> {
            forces.incrementAndGet();
            List<String> seen = filesIn(d).stream().map(p -> p.getFileName().toString()).toList();
            realForce.sync();
            durable.addAll(seen);
          });
    });
    try (FileSpool spool =
        new FileSpool(root, 0, () -> Long.MAX_VALUE, SpoolFixtures.CLOCK, new SplittableRandom(9), recordingSync, null)) {
      spool.recover();
      List<String> uncovered = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);

      List<Future<List<QueuedMessage>>> results = new ArrayList<>();
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          results.add(
              threads.submit(
                  () -> {
                    start.await();
                    List<QueuedMessage> mine = new ArrayList<>();
                    for (int i = 0; i < COMMITS_PER_THREAD; i++) {
                      QueuedMessage message = commitNumbered(spool, thread, i);
                      if (!durable.contains(message.id() + ".msg")) {
                        synchronized (uncovered) {
                          uncovered.add(message.id().value());
                        }
                      }
                      mine.add(message);
                    }
                    return mine;
                  }));
        }
        start.countDown();
      }
      List<QueuedMessage> committed = new ArrayList<>();
      for (Future<List<QueuedMessage>> result : results) {
        committed.addAll(result.get(1, TimeUnit.MINUTES));
      }

      int total = THREADS * COMMITS_PER_THREAD;
      assertThat(uncovered).as("commits that returned before a covering directory sync").isEmpty();
      assertThat(forces.get()).as("directory forces for %d commits", total).isLessThan(total);
      assertThat(spool.size()).isEqualTo(total);
      Set<String> ids = new HashSet<>();
      committed.forEach(m -> ids.add(m.id().value()));
      assertThat(ids).hasSize(total);

      try (FileSpool restarted = SpoolFixtures.spool(root)) {
        assertThat(restarted.recover()).containsExactlyInAnyOrderElementsOf(committed);
        assertThat(filesIn(root.resolve("quarantine"))).isEmpty();
        QueuedMessage sample = committed.get(total / 2);
        assertThat(new String(readBody(restarted.body(sample)), java.nio.charset.StandardCharsets.UTF_8))
            .startsWith("Subject: message ");
      }
    }
  }

  private static QueuedMessage commitNumbered(Spool spool, int thread, int i) throws IOException {
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(text("Subject: message " + thread + "/" + i + "\r\n\r\nbody\r\n"));
      return transaction.commit(SpoolFixtures.envelope());
    }
  }
}
