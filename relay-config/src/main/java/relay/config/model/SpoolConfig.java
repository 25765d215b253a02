package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The on-disk queue.
 *
 * @param directory absolute path of the spool directory
 * @param minFreeSpace octets that must stay free on the spool's file system; below it new mail is
 *     deferred with {@code 452 4.3.1} (always positive)
 */
public record SpoolConfig(Path directory, long minFreeSpace) {

  public SpoolConfig {
    Objects.requireNonNull(directory, "directory");
    if (minFreeSpace <= 0) {
      throw new IllegalArgumentException("min free space must be positive");
    }
  }
}
