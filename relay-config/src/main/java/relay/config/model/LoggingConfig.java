package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where Relay writes its own log files, and how much of the disk they may take. Each of the three
 * logs ({@code relay.log}, {@code protocol.log}, {@code tracking.log}) rolls at UTC midnight or when
 * it reaches {@code maxFileSize}, whichever comes first; its rolled files are compressed and the
 * oldest removed once older than {@code keepDays} or once the log's files together would exceed its
 * total. So the logs never take more than the three totals, however hostile the traffic.
 *
 * <p>Invariants: sizes positive; every total at least {@code maxFileSize}. Immutable.
 *
 * @param directory absolute path for the logs
 * @param keepDays rolled files older than this many days are removed
 * @param maxFileSize a log file rolls when it reaches this size (octets)
 * @param relayLogTotal most octets {@code relay.log} and its rolled files take together
 * @param protocolLogTotal most octets {@code protocol.log} and its rolled files take together
 * @param trackingLogTotal most octets {@code tracking.log} and its rolled files take together
 */
public record LoggingConfig(
    Path directory, int keepDays, long maxFileSize, long relayLogTotal, long protocolLogTotal, long trackingLogTotal) {

  public LoggingConfig {
    Objects.requireNonNull(directory, "directory");
    if (keepDays < 1 || maxFileSize < 1) {
      throw new IllegalArgumentException("keep-days and max-file-size must be positive");
    }
    if (Math.min(relayLogTotal, Math.min(protocolLogTotal, trackingLogTotal)) < maxFileSize) {
      throw new IllegalArgumentException("every total must be at least max-file-size");
    }
  }
}
