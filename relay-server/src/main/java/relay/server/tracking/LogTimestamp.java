package relay.server.tracking;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats a log line's UTC time ({@code 2025-06-01T10:00:00.123Z }) without a formatter call per
 * line: the text up to the seconds is kept while the second stays the same, and the milliseconds
 * are appended as digits. Formatting per line showed up in profiles of a busy relay.
 *
 * <p>Not thread-safe: owned by one {@link LineFile} writer thread.
 */
final class LogTimestamp {

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  private long second = Long.MIN_VALUE;
  private String prefix = "";
  private final char[] millisAndSpace = new char[5];

  /** Appends the time of {@code millis} and a space. */
  void append(StringBuilder out, long millis) {
    long s = Math.floorDiv(millis, 1000);
    if (s != second) {
      second = s;
      prefix = SECONDS.format(Instant.ofEpochSecond(s));
    }
    int ms = (int) Math.floorMod(millis, 1000);
    millisAndSpace[0] = (char) ('0' + ms / 100);
    millisAndSpace[1] = (char) ('0' + ms / 10 % 10);
    millisAndSpace[2] = (char) ('0' + ms % 10);
    millisAndSpace[3] = 'Z';
    millisAndSpace[4] = ' ';
    out.append(prefix);
    out.append(millisAndSpace);
  }
}
