package relay.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineFileTest {

  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong(Instant.parse("2025-06-01T10:00:00.007Z").toEpochMilli());
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

  @Test
  void timestampedLinesCarryTheirUtcMillisecondTimeAndKeepTheirOrder() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, 30, 16, clock);
    file.accept("s1 lan a b IN EHLO x");
    now.addAndGet(1_123);
    file.accept("s1 lan a b OUT 250 ok");
    file.close();

    assertThat(Files.readAllLines(dir.resolve("protocol.log"))).containsExactly(
        "2025-06-01T10:00:00.007Z s1 lan a b IN EHLO x",
        "2025-06-01T10:00:01.130Z s1 lan a b OUT 250 ok");
  }

  @Test
  void manyLinesThroughAQueueWithRoomAreAllWrittenInOrder() throws Exception {
    LineFile file = new LineFile(dir, "tracking", false, 30, 8_192, clock);
    IntStream.range(0, 5_000).forEach(i -> file.accept("{\"n\":" + i + "}"));
    file.close();

    assertThat(Files.readAllLines(dir.resolve("tracking.log")))
        .isEqualTo(IntStream.range(0, 5_000).mapToObj(i -> "{\"n\":" + i + "}").toList());
    assertThat(file.dropped()).isZero();
  }

  @Test
  void aFullQueueDropsAndCountsLinesInsteadOfWaitingAndWhatIsWrittenKeepsItsOrder() throws Exception {
    LineFile file = new LineFile(dir, "tracking", false, 30, 4, clock);
    IntStream.range(0, 20_000).forEach(i -> file.accept(Integer.toString(i)));
    file.close();

    List<Integer> written = Files.readAllLines(dir.resolve("tracking.log")).stream().map(Integer::valueOf).toList();
    assertThat(file.dropped()).isPositive();
    assertThat(written).isSorted().doesNotHaveDuplicates();
    assertThat(written.size() + file.dropped()).isEqualTo(20_000);
  }

  @Test
  void linesBecomeVisibleWithoutCloseOnceTheQueueRunsDry() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, 30, 16, clock);
    file.accept("s1 lan a b EVENT connect");

    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("protocol.log")).contains("EVENT connect\n"));
    file.close();
  }

  @Test
  void atUtcMidnightTheDayIsCompressedUnderItsDateAndOldDaysAreRemoved() throws Exception {
    Path ancient = Files.writeString(dir.resolve("protocol.2025-04-01.log.gz"), "old");
    Path recent = Files.writeString(dir.resolve("protocol.2025-05-20.log.gz"), "recent");
    LineFile file = new LineFile(dir, "protocol", true, 30, 16, clock);
    file.accept("day one");
    now.set(Instant.parse("2025-06-02T00:00:00.000Z").toEpochMilli());
    file.accept("day two");
    file.close();

    Path dayOne = dir.resolve("protocol.2025-06-01.log.gz");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dayOne) && !Files.exists(ancient));
    assertThat(gunzip(dayOne)).containsExactly("2025-06-01T10:00:00.007Z day one");
    assertThat(Files.readAllLines(dir.resolve("protocol.log"))).containsExactly("2025-06-02T00:00:00.000Z day two");
    assertThat(recent).exists();
    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("protocol.2025-06-01.log")));
  }

  @Test
  void reopeningAppendsToTheDaysFile() throws Exception {
    LineFile first = new LineFile(dir, "tracking", false, 30, 16, clock);
    first.accept("one");
    first.close();
    LineFile second = new LineFile(dir, "tracking", false, 30, 16, clock);
    second.accept("two");
    second.close();

    assertThat(Files.readAllLines(dir.resolve("tracking.log"))).containsExactly("one", "two");
  }

  private static List<String> gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
