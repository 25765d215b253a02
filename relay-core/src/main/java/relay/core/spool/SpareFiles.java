package relay.core.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Files of removed messages kept in {@code incoming/} to be overwritten by the next messages, so that
 * a steady flow of mail does not create and delete a file per message.
 *
 * <p>Why: creating a file allocates an inode and deleting it frees one again; on ext4 without a
 * journal the allocator also skips every inode freed in the last seconds, so at a thousand messages a
 * second each create walked past thousands of them (a tenth of the relay's CPU, measured in
 * docs/benchmark.md). A rename out of the queue and an overwrite cost neither.
 *
 * <p>Bounds: at most {@code capacity} spares, each at most {@code maxBytes} long (larger files are
 * deleted, so a burst of big messages does not leave gigabytes behind). Spares are named
 * {@code spare-<n>}; they are never read as mail, and recovery deletes whatever is in {@code
 * incoming/}, spares included. Taken last-in first-out, so the file reused is the one whose blocks are
 * most likely still cached.
 *
 * <p>Threading: thread-safe; a taken spare belongs to its taker alone.
 */
final class SpareFiles {

  static final String PREFIX = "spare-";

  private final Path directory;
  private final int capacity;
  private final long maxBytes;
  private final LinkedBlockingDeque<Path> spares;
  private final AtomicLong names = new AtomicLong();

  /**
   * @param directory where spares are kept ({@code incoming/}: same file system as the queue)
   * @param capacity most spares kept; 0 keeps none
   * @param maxBytes largest file kept as a spare
   */
  SpareFiles(Path directory, int capacity, long maxBytes) {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.capacity = capacity;
    this.spares = new LinkedBlockingDeque<>(Math.max(1, capacity));
  }

  /** A spare for the caller to overwrite, or null when there is none. */
  Path take() {
    return spares.pollFirst();
  }

  /**
   * Moves {@code file} (a removed message of {@code bytes} bytes) in as a spare, or deletes it when
   * it is too large or the spares are full. A file that is already gone counts as removed.
   */
  void recycle(Path file, long bytes) throws IOException {
    if (bytes > maxBytes || spares.size() >= capacity) {
      Files.deleteIfExists(file);
      return;
    }
    Path spare = directory.resolve(PREFIX + names.incrementAndGet());
    try {
      Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!spares.offerFirst(spare)) {
      Files.deleteIfExists(spare); // filled up meanwhile
    }
  }

  /** Forgets every spare (their files are about to be deleted). */
  void clear() {
    spares.clear();
  }
}
