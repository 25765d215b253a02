package relay.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import relay.server.health.CheckResult;

/**
 * A {@link LineFile} on a disk that refuses writes: {@code NAME.log} is a link to {@code /dev/full},
 * where every write fails with ENOSPC as on a full file system, and removing the link is freeing
 * the disk (the writer then creates a real file).
 */
class LineFileFaultTest {

  private static final Path FULL = Path.of("/dev/full");
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  /** Fast retries, so that a test sees several of them. */
  private static final RetryBackoff QUICK = new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40));

  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong(Instant.parse("2025-06-01T10:00:00.007Z").toEpochMilli());
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Logger logger = (Logger) LoggerFactory.getLogger(LineFile.class);
  private final ListAppender<ILoggingEvent> relayLog = new ListAppender<>();
  private Level level;

  @BeforeEach
  void fullDisk() throws IOException {
    assumeThat(FULL).as("a Linux /dev/full").exists();
    Files.createSymbolicLink(dir.resolve("protocol.log"), FULL);
    level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    relayLog.start();
    logger.addAppender(relayLog);
  }

  @AfterEach
  void restoreLogger() {
    logger.detachAppender(relayLog);
    logger.setLevel(level);
  }

  private void freeTheDisk() throws IOException {
    Files.delete(dir.resolve("protocol.log"));
  }

  @Test
  void callersNeverWaitForAFailingDiskAndEveryLineIsWrittenOrCountedOnceItIsFreed() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock, QUICK);

    // Before the fix the 17th line parked the caller in ArrayBlockingQueue.put for good.
    assertTimeoutPreemptively(PATIENCE, () -> {
      for (int i = 0; i < 10_000; i++) {
        file.accept("line " + i);
      }
    });
    await().atMost(PATIENCE).until(() -> file.health() instanceof CheckResult.Failed);
    assertThat(((CheckResult.Failed) file.health()).reason())
        .startsWith("writing protocol.log fails since 2025-06-01T10:00:00.007Z: ")
        .contains("No space left on device");
    assertThat(file.alive()).isTrue();
    long droppedDuringTheFault = file.dropped();
    assertThat(droppedDuringTheFault).isPositive();

    freeTheDisk();
    await().atMost(PATIENCE).until(() -> file.health() instanceof CheckResult.Ok);
    file.accept("line 10000");
    file.close();

    List<Integer> written = Files.readAllLines(dir.resolve("protocol.log")).stream()
        .map(line -> Integer.valueOf(line.substring(line.lastIndexOf(' ') + 1)))
        .toList();
    assertThat(written).isSorted().doesNotHaveDuplicates().contains(10_000);
    // Lines accepted while the queue had room were kept through the fault, not only the last one.
    assertThat(written.size()).isGreaterThan(16);
    assertThat(written.size() + file.dropped()).isEqualTo(10_001);
    assertThat(file.dropped()).isEqualTo(droppedDuringTheFault);
  }

  @Test
  void relayLogSaysOnceThatWritingFailsAndThatDroppingStartedThenOnceThatBothEnded() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock, QUICK);
    for (int i = 0; i < 1_000; i++) {
      file.accept("line " + i);
    }
    await().atMost(PATIENCE).until(() -> events(Level.DEBUG, "attempt").size() >= 5);
    for (int i = 0; i < 1_000; i++) {
      file.accept("more " + i);
    }

    assertThat(events(Level.ERROR, "")).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("writing failed", "No space left on device"));
    assertThat(events(Level.WARN, "further lines are dropped")).hasSize(1);

    freeTheDisk();
    await().atMost(PATIENCE).until(() -> !events(Level.WARN, "caught up").isEmpty());
    file.close();

    assertThat(events(Level.WARN, "writing again")).hasSize(1);
    assertThat(events(Level.WARN, "caught up")).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).endsWith("; " + file.dropped() + " lines were dropped"));
    assertThat(events(Level.ERROR, "")).hasSize(1);
  }

  @Test
  void linesKeptThroughAFaultAcrossMidnightAreFiledUnderTheirOwnDay() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock, QUICK);
    file.accept("day one");
    await().atMost(PATIENCE).until(() -> file.health() instanceof CheckResult.Failed);
    now.set(Instant.parse("2025-06-02T00:00:00.000Z").toEpochMilli());
    file.accept("day two");

    freeTheDisk();
    await().atMost(PATIENCE).until(() -> file.health() instanceof CheckResult.Ok);
    file.close();

    Path dayOne = dir.resolve("protocol.2025-06-01.log.gz");
    await().atMost(PATIENCE).until(() -> Files.exists(dayOne) && !Files.exists(dir.resolve("protocol.2025-06-01.log")));
    assertThat(gunzip(dayOne)).containsExactly("2025-06-01T10:00:00.007Z day one");
    assertThat(Files.readAllLines(dir.resolve("protocol.log"))).containsExactly("2025-06-02T00:00:00.000Z day two");
  }

  @Test
  void closingWhileWritingStillFailsEndsPromptlyAndCountsWhatWasNotWritten() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16,
        clock, new RetryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1)));
    for (int i = 0; i < 5; i++) {
      file.accept("line " + i);
    }
    await().atMost(PATIENCE).until(() -> file.health() instanceof CheckResult.Failed);

    // The writer is in a minute's back-off: close must cut it short, not wait it out.
    assertTimeoutPreemptively(PATIENCE, file::close);

    assertThat(file.dropped()).isEqualTo(5);
    assertThat(file.alive()).isFalse();
    assertThat(file.health()).isInstanceOf(CheckResult.Failed.class);
    assertThat(events(Level.ERROR, "5 lines were not written")).hasSize(1);
  }

  private List<ILoggingEvent> events(Level level, String text) {
    return List.copyOf(relayLog.list).stream()
        .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text))
        .toList();
  }

  private static List<String> gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
