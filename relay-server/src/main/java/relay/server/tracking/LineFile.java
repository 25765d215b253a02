package relay.server.tracking;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A high-volume log file written by one background thread: the protocol log (about 25 lines per
 * message) and the tracking log. Callers only stamp the time and enqueue; the writer drains the
 * queue in batches into a buffered file, so a busy relay makes one {@code write} per batch, not one
 * per line, and wakes the writer a few hundred times a second at most.
 *
 * <p>Invariants: lines are written in the order they were accepted; nothing accepted is dropped (a
 * full queue blocks the caller until the disk catches up); each line is prefixed, when {@code
 * timestamped}, with its UTC time to the millisecond ({@code 2025-06-01T10:00:00.123Z }). The file
 * rolls at UTC midnight: {@code NAME.log} becomes {@code NAME.YYYY-MM-DD.log.gz} for the day it
 * holds, and files older than {@code keepDays} are removed. The buffer is flushed whenever the queue
 * runs dry and on {@link #close()}.
 *
 * <p>Thread-safe: {@link #accept(String)} may be called from any thread.
 */
public final class LineFile implements Consumer<String>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LineFile.class);
  private static final long DAY_MILLIS = TimeUnit.DAYS.toMillis(1);
  /** How long the writer lets lines gather after a batch: one wake-up per pause, not per line. */
  private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Entry CLOSE = new Entry(0, "");

  private record Entry(long millis, String line) {}

  private final Path directory;
  private final String name;
  private final boolean timestamped;
  private final int keepDays;
  private final InstantSource clock;
  private final BlockingQueue<Entry> queue;
  private final Thread writer;
  private final LogTimestamp stamp = new LogTimestamp();
  private Writer out;
  private long dayEnd;
  private volatile boolean closed;

  /**
   * Opens (appending) {@code directory/name.log} and starts the writer thread.
   *
   * @param capacity lines that may wait before callers block
   */
  public LineFile(Path directory, String name, boolean timestamped, int keepDays, int capacity, InstantSource clock)
      throws IOException {
    this.directory = directory;
    this.name = name;
    this.timestamped = timestamped;
    this.keepDays = keepDays;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(capacity);
    Files.createDirectories(directory);
    Path file = current();
    if (Files.exists(file)) {
      long modified = Files.getLastModifiedTime(file).toMillis();
      dayEnd = dayEndOf(modified);
    } else {
      dayEnd = dayEndOf(clock.millis());
    }
    out = open();
    writer = Thread.ofPlatform().name(name + "-log-writer").daemon(true).start(this::run);
  }

  /** Queues one line (without its line break); blocks while the queue is full. */
  @Override
  public void accept(String line) {
    if (closed) {
      return;
    }
    Entry entry = new Entry(timestamped ? clock.millis() : 0, line);
    try {
      queue.put(entry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes everything queued so far, then closes the file. */
  @Override
  public void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    queue.put(CLOSE);
    writer.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    List<Entry> batch = new ArrayList<>(1024);
    try {
      while (true) {
        if (queue.drainTo(batch) == 0) {
          out.flush(); // idle: what was written becomes visible to readers (tail -f, grep)
          batch.add(queue.take());
        }
        for (Entry entry : batch) {
          if (entry == CLOSE) {
            out.close();
            return;
          }
          write(entry);
        }
        batch.clear();
        // Let a busy relay's lines gather so the writer wakes per pause rather than per line.
        LockSupport.parkNanos(GATHER_NANOS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.error("{}.log: writing failed, the log stops here", name, e);
    }
  }

  private void write(Entry entry) throws IOException {
    long millis = timestamped ? entry.millis() : clock.millis();
    if (millis >= dayEnd) {
      roll(millis);
    }
    if (timestamped) {
      stamp.append(out, millis);
    }
    out.write(entry.line());
    out.write('\n');
  }

  private void roll(long millis) throws IOException {
    out.close();
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(dayEnd - 1, DAY_MILLIS));
    Path rolled = directory.resolve(name + "." + day + ".log");
    Files.move(current(), rolled);
    dayEnd = dayEndOf(millis);
    out = open();
    // Compressing a day's file takes a while; the writer goes on meanwhile.
    Thread.ofVirtual().name(name + "-log-archive").start(() -> new LogArchive(directory, name, keepDays)
        .compressAndPrune(rolled, LocalDate.ofEpochDay(Math.floorDiv(millis, DAY_MILLIS))));
  }

  private Writer open() throws IOException {
    return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(current(), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8), 64 << 10);
  }

  private Path current() {
    return directory.resolve(name + ".log");
  }

  private static long dayEndOf(long millis) {
    return (Math.floorDiv(millis, DAY_MILLIS) + 1) * DAY_MILLIS;
  }
}
