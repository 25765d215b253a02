package relay.core.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a spool directory ({@code <spool>/lock}, an OS file lock): a running relay
 * holds it for its whole run, and {@code relay queue export} and {@code import} take it before they
 * touch the spool, so they never move files under a relay that is delivering them. The OS drops the
 * lock when the process ends, however it ends (kill -9 included), so a crash never leaves a stale
 * lock behind.
 *
 * <p>Lifecycle: {@link #acquire} then {@link #close} once. Not thread-safe (one owner).
 */
public final class SpoolLock implements AutoCloseable {

  /** The lock file's name in the spool directory. */
  public static final String FILE = "lock";

  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the spool at {@code root} (creating the directory if needed).
   *
   * @throws SpoolInUseException when another process, or another owner in this one, holds it
   */
  public static SpoolLock acquire(Path root) throws IOException {
    Files.createDirectories(root);
    FileChannel channel = FileChannel.open(root.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new SpoolInUseException(root);
      }
      return new SpoolLock(channel, lock);
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new SpoolInUseException(root);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
