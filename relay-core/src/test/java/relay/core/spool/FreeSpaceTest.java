package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreeSpaceTest {

  @TempDir Path dir;

  @Test
  void fileStoreIsLookedUpOnFirstUseSoTheSpoolDirectoryMayBeCreatedAfterwards() throws Exception {
    Path spool = dir.resolve("spool");
    FreeSpace free = FreeSpace.ofFileStore(spool);

    Files.createDirectories(spool);
    long first = free.usableBytes();
    long second = free.usableBytes();

    long total = Files.getFileStore(dir).getTotalSpace();
    assertThat(first).isPositive().isLessThanOrEqualTo(total);
    assertThat(second).isPositive().isLessThanOrEqualTo(total);
  }

  @Test
  void missingDirectoryIsReportedAsAnError() {
    FreeSpace free = FreeSpace.ofFileStore(dir.resolve("missing"));

    assertThatThrownBy(free::usableBytes).isInstanceOf(IOException.class);
  }

  @Test
  void askedAtMostEveryIntervalGivesTheLastAnswerInBetweenAndAsksAgainAfterwards() throws Exception {
    AtomicLong asked = new AtomicLong();
    AtomicLong millis = new AtomicLong(1_000);
    FreeSpace free = ((FreeSpace) () -> 100 - asked.incrementAndGet())
        .askedAtMostEvery(Duration.ofMillis(50), () -> Instant.ofEpochMilli(millis.get()));

    assertThat(free.usableBytes()).isEqualTo(99);
    millis.addAndGet(49);
    assertThat(free.usableBytes()).as("49 ms later: the last answer").isEqualTo(99);
    millis.addAndGet(1);
    assertThat(free.usableBytes()).as("50 ms later: asked again").isEqualTo(98);
    millis.addAndGet(-10);
    assertThat(free.usableBytes()).as("the clock went back: asked again").isEqualTo(97);
    assertThat(asked).hasValue(3);
  }

  @Test
  void aFailedAnswerIsNotKept() throws Exception {
    AtomicLong calls = new AtomicLong();
    FreeSpace free = ((FreeSpace) () -> {
          if (calls.incrementAndGet() == 1) {
            throw new IOException("statfs failed");
          }
          return 42;
        })
        .askedAtMostEvery(Duration.ofMillis(50), () -> Instant.EPOCH);

    assertThatThrownBy(free::usableBytes).isInstanceOf(IOException.class);
    assertThat(free.usableBytes()).isEqualTo(42);
  }
}
