package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
