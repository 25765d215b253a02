package relay.server.trace;

import java.time.Duration;

/**
 * What one search did: for {@code --stats}, the benchmark, and anyone wondering why a search took
 * long. Immutable.
 *
 * @param files files opened
 * @param bytes uncompressed octets read
 * @param lines lines seen
 * @param parsed lines that passed the byte pre-filter and were parsed as JSON
 * @param matched events handed out
 * @param skipped lines that were not a tracking event (torn by a crash, or not JSON)
 * @param limited whether the search stopped at the limit
 * @param elapsed wall-clock time
 */
public record SearchStats(
    int files, long bytes, long lines, long parsed, long matched, long skipped, boolean limited, Duration elapsed) {

  /** One line for a terminal. */
  @Override
  public String toString() {
    return "%d file(s), %d lines (%.1f MB) read, %d parsed, %d matched%s%s in %d ms".formatted(files, lines,
        bytes / 1e6, parsed, matched, limited ? " (stopped at the limit)" : "",
        skipped > 0 ? ", " + skipped + " unreadable line(s) skipped" : "", elapsed.toMillis());
  }
}
