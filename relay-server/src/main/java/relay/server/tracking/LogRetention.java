package relay.server.tracking;

/**
 * How much of one log Relay keeps: the file rolls at UTC midnight or once it holds {@code
 * maxFileSize} octets; rolled files go after {@code keepDays} days, or sooner, oldest first, once the
 * log's files together (the current one counted at its full size) would pass {@code maxTotalSize}.
 * Immutable.
 */
public record LogRetention(int keepDays, long maxFileSize, long maxTotalSize) {

  public LogRetention {
    if (keepDays < 1 || maxFileSize < 1 || maxTotalSize < maxFileSize) {
      throw new IllegalArgumentException("need keepDays >= 1 and 1 <= maxFileSize <= maxTotalSize");
    }
  }

  /** By age only (for tests and tools): sizes practically unbounded. */
  public static LogRetention days(int keepDays) {
    return new LogRetention(keepDays, Long.MAX_VALUE / 4, Long.MAX_VALUE / 2);
  }
}
