package relay.server.tracking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.server.health.CheckResult;

/**
 * A high-volume log file written by one background thread: the protocol log (about 25 lines per
 * message) and the tracking log. Callers only stamp the time and enqueue; the writer drains the
 * queue in batches into {@code NAME.log} ({@link LineSink}), so a busy relay makes one {@code
 * write} per batch, not one per line, and wakes the writer a few hundred times a second at most.
 *
 * <p>A log must never stop the mail: {@link #accept} never blocks. When the queue is full (the
 * disk is slower than the lines arrive, or writing fails) the line is dropped and counted in
 * {@link #dropped()}; {@code relay.log} gets one warning when dropping starts and one line with the
 * count when the writer has caught up. When writing fails (disk full, file system read-only), the
 * writer says so once in {@code relay.log}, keeps the lines it holds and stops taking new ones from
 * the queue (which then fills and drops), and tries the file again after a back-off ({@link
 * RetryBackoff}: 1 s doubling to 30 s); once a try succeeds it writes what it kept, says so, and
 * goes on. {@link #health()} tells readiness checks whether the writer runs and can write.
 *
 * <p>Invariants: lines are written in the order they were accepted, each whole or not at all;
 * every accepted line is either written or counted as dropped (also those still unwritten when
 * {@link #close()} finds writing failing). Each line is prefixed, when {@code timestamped}, with its
 * UTC acceptance time to the millisecond ({@code 2025-06-01T10:00:00.123Z }). The file rolls at UTC
 * midnight ({@code NAME.YYYY-MM-DD.log.gz} for the day it holds) or when it reaches the retention's
 * file size ({@code NAME.YYYY-MM-DD.N.log.gz}, the day's N-th part); rolled files are removed, oldest
 * first, past the retention's days or total size ({@link LogRetention}), so a log's disk use is
 * bounded however much traffic arrives. The file is written whenever the queue runs dry and on
 * {@link #close()}.
 *
 * <p>Thread-safe: {@link #accept}, {@link #dropped()} and {@link #health()} may be called from any
 * thread; the writer thread alone touches the file.
 */
public final class LineFile implements Consumer<String>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LineFile.class);
  /** How long the writer lets lines gather after a batch: one wake-up per pause, not per line. */
  private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final String name;
  private final boolean timestamped;
  private final int capacity;
  private final InstantSource clock;
  private final RetryBackoff backoff;
  private final BlockingQueue<QueuedLine> queue;
  private final LineSink sink;
  private final Thread writer;
  /** Put in the queue by {@link #close()} to wake an idle writer; recognised by identity, never written. */
  private final QueuedLine wakeUp = new QueuedLine(0, "");
  private final LongAdder dropped = new LongAdder();
  private final AtomicBoolean dropping = new AtomicBoolean();
  /** Why the writer cannot write now, for readiness; null while it can. */
  private volatile String fault;
  private volatile boolean closed;
  // Writer thread only:
  private int failures;
  private long droppedReported;

  /**
   * Opens (appending) {@code directory/name.log} and starts the writer thread. Failing to open the
   * file here is an error of the caller's (a wrong directory, no permission), so it is thrown; the
   * writer survives every later failure.
   *
   * @param capacity lines that may wait for the disk before further lines are dropped
   */
  public LineFile(Path directory, String name, boolean timestamped, LogRetention retention, int capacity,
      InstantSource clock) throws IOException {
    this(directory, name, timestamped, retention, capacity, clock, RetryBackoff.DEFAULT);
  }

  LineFile(Path directory, String name, boolean timestamped, LogRetention retention, int capacity, InstantSource clock,
      RetryBackoff backoff) throws IOException {
    this.name = name;
    this.timestamped = timestamped;
    this.capacity = capacity;
    this.clock = clock;
    this.backoff = backoff;
    this.queue = new ArrayBlockingQueue<>(capacity);
    Files.createDirectories(directory);
    sink = new LineSink(directory, name, timestamped, retention, clock);
    sink.open();
    sink.tidyArchive();
    writer = Thread.ofPlatform().name(name + "-log-writer").daemon(true).start(this::run);
  }

  /** Queues one line (without its line break), or drops and counts it when the queue is full. */
  @Override
  public void accept(String line) {
    if (closed) {
      return;
    }
    if (queue.offer(new QueuedLine(timestamped ? clock.millis() : 0, line))) {
      return;
    }
    dropped.increment();
    // Once per episode, not per line: the writer ends the episode when it has caught up.
    if (!dropping.get() && dropping.compareAndSet(false, true)) {
      String why = fault;
      LOG.warn("{}.log: {} lines are waiting for the disk; further lines are dropped (counted in "
          + "relay_log_lines_dropped_total) until the writer catches up{}", name, capacity,
          why == null ? "" : "; " + why);
    }
  }

  /** Lines dropped since start: refused by a full queue, or still unwritten when closing gave up. */
  public long dropped() {
    return dropped.sum();
  }

  /** Whether the writer thread is running and the file has not been closed. */
  public boolean alive() {
    return writer.isAlive() && !closed;
  }

  /** For readiness: ok while the writer runs and its last write (or open) succeeded. */
  public CheckResult health() {
    if (!alive()) {
      return CheckResult.failed("the writer thread has stopped");
    }
    String why = fault;
    return why == null ? CheckResult.ok() : CheckResult.failed(why);
  }

  /** Writes everything queued so far, then closes the file (waits at most 30 s). */
  @Override
  public void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    LockSupport.unpark(writer); // ends a back-off wait at once
    queue.offer(wakeUp); // ends an idle wait; when the queue is full, the writer is not idle
    writer.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    try {
      List<QueuedLine> batch = new ArrayList<>(1024);
      while (sink.isOpen() ? writeSome(batch) : retry()) {
        // each pass writes one batch, or waits out one back-off and tries the file again
      }
    } catch (InterruptedException e) {
      LOG.error("{}.log: the writer was interrupted and stops; lines are dropped from now on", name);
    } catch (Throwable e) {
      LOG.error("{}.log: the writer stops; lines are dropped from now on", name, e);
      throw e;
    }
  }

  /** One batch from the queue into the file; false once closed and everything is written. */
  private boolean writeSome(List<QueuedLine> batch) throws InterruptedException {
    try {
      if (queue.drainTo(batch) == 0) {
        sink.flush(); // idle: what was written becomes visible to readers (tail -f, grep)
        caughtUp();
        if (closed) {
          sink.close();
          return false;
        }
        batch.add(queue.take());
      }
      batch.removeIf(line -> line == wakeUp);
      sink.write(batch);
    } catch (IOException | RuntimeException e) {
      sink.abandon();
      failed(e);
      return true;
    } finally {
      batch.clear();
    }
    // Let a busy relay's lines gather so the writer wakes per pause rather than per line.
    LockSupport.parkNanos(GATHER_NANOS);
    return true;
  }

  /**
   * After a failure: waits out the back-off (cut short by {@link #close()}) and opens the file
   * again, which writes the lines the writer kept. False when closing and this last try failed.
   */
  private boolean retry() {
    pause(backoff.after(failures));
    try {
      sink.open();
    } catch (IOException | RuntimeException e) {
      sink.abandon();
      failed(e);
      if (closed) {
        queue.removeIf(line -> line == wakeUp);
        int lost = sink.discard() + queue.size();
        queue.clear();
        dropped.add(lost);
        LOG.error("{}.log: closing while writing still fails; {} lines were not written", name, lost);
        return false;
      }
      return true;
    }
    LOG.warn("{}.log: writing again after {} failed attempt(s); the lines kept meanwhile are written", name, failures);
    failures = 0;
    fault = null;
    return true;
  }

  private void failed(Exception e) {
    failures++;
    if (failures == 1) {
      fault = "writing " + name + ".log fails since " + clock.instant() + ": " + e;
      // Once per episode: the retries that follow fail the same way, until one succeeds.
      LOG.error("{}.log: writing failed, trying again after {}, then less and less often (every {} at "
          + "most); new lines wait in the queue while it has room ({} lines), then are dropped: {}",
          name, span(backoff.first()), span(backoff.max()), capacity, e.toString());
    } else {
      LOG.debug("{}.log: attempt {} failed: {}", name, failures, e.toString());
    }
  }

  /** Ends a dropping episode once the writer has emptied the queue, with the episode's count. */
  private void caughtUp() {
    if (dropping.get() && dropping.compareAndSet(true, false)) {
      long total = dropped.sum();
      LOG.warn("{}.log: caught up; {} lines were dropped", name, total - droppedReported);
      droppedReported = total;
    }
  }

  private static String span(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private void pause(Duration wait) {
    long end = System.nanoTime() + wait.toNanos();
    for (long left = wait.toNanos(); left > 0 && !closed; left = end - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
    }
  }
}
