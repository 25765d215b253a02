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
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock);
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
    LineFile file = new LineFile(dir, "tracking", false, LogRetention.days(30), 8_192, clock);
    IntStream.range(0, 5_000).forEach(i -> file.accept("{\"n\":" + i + "}"));
    file.close();

    assertThat(Files.readAllLines(dir.resolve("tracking.log")))
        .isEqualTo(IntStream.range(0, 5_000).mapToObj(i -> "{\"n\":" + i + "}").toList());
    assertThat(file.dropped()).isZero();
  }

  @Test
  void aFullQueueDropsAndCountsLinesInsteadOfWaitingAndWhatIsWrittenKeepsItsOrder() throws Exception {
    LineFile file = new LineFile(dir, "tracking", false, LogRetention.days(30), 4, clock);
    IntStream.range(0, 20_000).forEach(i -> file.accept(Integer.toString(i)));
    file.close();

    List<Integer> written = Files.readAllLines(dir.resolve("tracking.log")).stream().map(Integer::valueOf).toList();
    assertThat(file.dropped()).isPositive();
    assertThat(written).isSorted().doesNotHaveDuplicates();
    assertThat(written.size() + file.dropped()).isEqualTo(20_000);
  }

  @Test
  void linesBecomeVisibleWithoutCloseOnceTheQueueRunsDry() throws Exception {
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock);
    file.accept("s1 lan a b EVENT connect");

    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("protocol.log")).contains("EVENT connect\n"));
    file.close();
  }

  @Test
  void atUtcMidnightTheDayIsCompressedUnderItsDateAndOldDaysAreRemoved() throws Exception {
    Path ancient = Files.writeString(dir.resolve("protocol.2025-04-01.log.gz"), "old");
    Path recent = Files.writeString(dir.resolve("protocol.2025-05-20.log.gz"), "recent");
    LineFile file = new LineFile(dir, "protocol", true, LogRetention.days(30), 16, clock);
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
  void aFileRollsAtItsSizeIntoNumberedPartsAndTheLogNeverTakesMoreThanItsTotal() throws Exception {
    // Hostile traffic in miniature: 3 MiB of hard-to-compress lines into a log allowed 64 KiB per
    // file and 256 KiB in all.
    LogRetention retention = new LogRetention(30, 64 << 10, 256 << 10);
    LineFile file = new LineFile(dir, "protocol", true, retention, 100_000, clock);
    java.util.Random random = new java.util.Random(7);
    int lines = 30_000;
    for (int i = 0; i < lines; i++) {
      file.accept(i + " " + java.util.HexFormat.of().formatHex(random.ints(40, 0, 256)
          .collect(java.io.ByteArrayOutputStream::new, (b, v) -> b.write(v), (a, b) -> {}).toByteArray()));
    }
    file.close();
    assertThat(file.dropped()).isZero();

    await().atMost(Duration.ofSeconds(20)).until(() -> rolled().stream().allMatch(p -> p.toString().endsWith(".gz")));
    List<Path> parts = rolled();
    assertThat(parts).isNotEmpty().allSatisfy(p -> assertThat(p.getFileName().toString())
        .matches("protocol\\.2025-06-01\\.[0-9]+\\.log\\.gz"));
    long total = Files.size(dir.resolve("protocol.log"));
    for (Path p : parts) {
      total += Files.size(p);
    }
    assertThat(total).isLessThanOrEqualTo(256 << 10);
    assertThat(Files.size(dir.resolve("protocol.log"))).isLessThanOrEqualTo((64 << 10) + 200);
    // The oldest parts went; the newest part continues into the current file without a gap.
    assertThat(parts.getFirst().getFileName().toString()).isNotEqualTo("protocol.2025-06-01.1.log.gz");
    List<String> newest = gunzip(parts.getLast());
    List<String> current = Files.readAllLines(dir.resolve("protocol.log"));
    assertThat(number(current.getLast())).isEqualTo(lines - 1);
    assertThat(number(current.getFirst())).isEqualTo(number(newest.getLast()) + 1);
  }

  private List<Path> rolled() throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("protocol.2025"))
          .sorted(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().split("\\.")[2])))
          .toList();
    }
  }

  private static int number(String line) {
    return Integer.parseInt(line.split(" ")[1]);
  }

  @Test
  void reopeningAppendsToTheDaysFile() throws Exception {
    LineFile first = new LineFile(dir, "tracking", false, LogRetention.days(30), 16, clock);
    first.accept("one");
    first.close();
    LineFile second = new LineFile(dir, "tracking", false, LogRetention.days(30), 16, clock);
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
