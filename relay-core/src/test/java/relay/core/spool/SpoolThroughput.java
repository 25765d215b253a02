package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A by-hand measurement, not a test: durable commits per second of 4 KiB bodies with 1 and 20
 * concurrent writers on virtual threads. Run with {@code java -cp ... relay.core.spool.SpoolThroughput
 * [directory] [seconds]}; the directory must be on the disk whose fsync cost you want to see (not
 * tmpfs).
 */
final class SpoolThroughput {

  private SpoolThroughput() {}

  public static void main(String[] args) throws Exception {
    Path base = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir")), "spool-throughput");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    byte[] body = new byte[4096];
    Arrays.fill(body, (byte) 'x');
    for (int writers : new int[] {1, 20}) {
      Path root = base.resolve("w" + writers);
      FileSpool spool =
          new FileSpool(root, 0, () -> Long.MAX_VALUE, InstantSource.system(), new SplittableRandom());
      spool.recover();
      AtomicInteger commits = new AtomicInteger();
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      long started = System.nanoTime();
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < writers; w++) {
          threads.submit(
              () -> {
                while (System.nanoTime() < deadline) {
                  commit(spool, body);
                  commits.incrementAndGet();
                }
                return null;
              });
        }
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      System.out.printf("%2d writers: %d commits in %.1f s = %.0f commits/s%n", writers, commits.get(), elapsed, commits.get() / elapsed);
      spool.close();
    }
  }

  private static void commit(Spool spool, byte[] body) throws IOException {
    try (SpoolTransaction transaction = spool.begin()) {
      transaction.body().write(body);
      transaction.commit(SpoolFixtures.envelope());
    }
  }
}
