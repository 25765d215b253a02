package relay.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static relay.core.spool.SpoolFixtures.digestOf;
import static relay.core.spool.SpoolFixtures.spool;
import static relay.core.spool.SpoolFixtures.writeRandom;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LargeBodyTest {

  private static final long FIFTY_MIB = 50L << 20;

  @TempDir Path root;

  @Test
  void fiftyMebibyteBodyStreamsThroughAndRecoversWithTheSameDigest() throws Exception {
    byte[] written;
    QueuedMessage message;
    try (FileSpool spool = spool(root); SpoolTransaction transaction = spool.begin()) {
      written = writeRandom(transaction.body(), FIFTY_MIB + 3, 42);
      message = transaction.commit(SpoolFixtures.envelope());
    }

    try (FileSpool restarted = spool(root)) {
      assertThat(restarted.recover()).containsExactly(message);
      MessageBody body = restarted.body(message);
      assertThat(body.size()).isEqualTo(FIFTY_MIB + 3);
      assertThat(digestOf(body)).isEqualTo(written);
    }
  }
}
