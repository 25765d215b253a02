package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import relay.server.health.CheckResult;

class SpoolRoomTest {

  @TempDir Path dir;
  private final AtomicLong free = new AtomicLong(10_000);

  @Test
  void readyWhileTheFreeSpaceIsAtTheFloorAndNotBelowItReadAfreshEachTime() {
    SpoolRoom room = new SpoolRoom(dir, 10_000, free::get);
    assertThat(room.get()).isEqualTo(CheckResult.ok());

    free.set(9_999);
    assertThat(room.get()).isEqualTo(CheckResult.failed("free space 9999 bytes is below the floor of 10000 bytes"));

    free.set(50_000);
    assertThat(room.get()).isEqualTo(CheckResult.ok());
  }

  @Test
  void aMissingSpoolDirectoryIsNotReady() {
    Path missing = dir.resolve("spool");

    assertThat(new SpoolRoom(missing, 0, free::get).get())
        .isEqualTo(CheckResult.failed(missing + " is not a writable directory"));
  }
}
