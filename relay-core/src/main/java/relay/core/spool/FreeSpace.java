package relay.core.spool;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Where the spool learns how much room is left for new messages. The production source asks the
 * file store holding the spool; tests supply their own figure to simulate a full disk without
 * filling one.
 *
 * <p>Threading: implementations are called concurrently from many sessions and must be thread-safe.
 */
@FunctionalInterface
public interface FreeSpace {

  /** Bytes currently available to this process on the spool's file store. */
  long usableBytes() throws IOException;

  /**
   * This source asked at most once per {@code interval} of {@code clock}'s time; in between, its last
   * answer is given again (a failure is not kept: the next call asks afresh). The spool asks before
   * every message, and a {@code statfs} per message cost about 1 % of the relay's CPU; a figure at
   * most 50 ms old overshoots the floor by what arrives in 50 ms, a few MiB at most.
   */
  default FreeSpace askedAtMostEvery(Duration interval, InstantSource clock) {
    FreeSpace source = this;
    long intervalMillis = interval.toMillis();
    record Answer(long bytes, long atMillis) {}
    return new FreeSpace() {
      private volatile Answer last;

      @Override
      public long usableBytes() throws IOException {
        long now = clock.millis();
        Answer known = last;
        if (known != null && now >= known.atMillis() && now - known.atMillis() < intervalMillis) {
          return known.bytes();
        }
        long bytes = source.usableBytes();
        last = new Answer(bytes, now);
        return bytes;
      }
    };
  }

  /**
   * The usable space of the file store that holds {@code path}, asked afresh on each call. The file
   * store itself is looked up once, on first use (the directory may not exist before): on Linux the
   * lookup parses the mount table, which cost more CPU than the rest of accepting a message.
   */
  static FreeSpace ofFileStore(Path path) {
    return new FreeSpace() {
      private volatile FileStore store;

      @Override
      public long usableBytes() throws IOException {
        FileStore known = store;
        if (known == null) {
          known = Files.getFileStore(path);
          store = known;
        }
        return known.getUsableSpace();
      }
    };
  }
}
