package relay.server.trace;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipException;

/**
 * Reads log files one after the other, line by line, hands the lines that pass a byte test to the
 * parser and the parsed events to the caller, and counts what it did. What a crash or a concurrent
 * roll can leave is taken in stride: a torn last line is skipped, a compressed file that ends early
 * counts as read up to there, a file compressed or removed between listing and opening is read
 * compressed or skipped.
 *
 * <p>Not thread-safe: one per search.
 */
final class LogScan {

  /** The byte test: false when the line cannot matter. */
  @FunctionalInterface
  interface Prefilter {
    boolean mayMatch(byte[] line, int start, int end);
  }

  /** Takes one parsed event of source {@code source} (its index); false stops the scan. */
  @FunctionalInterface
  interface Events {
    boolean event(TracedEvent event, int source);
  }

  private final LineReader reader = new LineReader();
  private final LineParser parser = new LineParser();
  private int files;
  private long lines;
  private long parsed;
  private long skipped;

  /**
   * Scans {@code sources} from index {@code from} (inclusive) to {@code to} (exclusive, at most
   * their number).
   *
   * @return false when {@code events} stopped it
   */
  boolean run(List<LogSource> sources, int from, int to, Prefilter prefilter, Events events) throws IOException {
    try (ReadAhead files = new ReadAhead(sources, from, to)) {
      for (int i = from; i < Math.min(to, sources.size()); i++) {
        int index = i;
        LineReader.Lines each = (line, start, end) -> {
          lines++;
          if (!prefilter.mayMatch(line, start, end)) {
            return true;
          }
          parsed++;
          Optional<TracedEvent> event = parser.parse(line, start, end);
          if (event.isEmpty()) {
            skipped++;
            return true;
          }
          return events.event(event.get(), index);
        };
        if (!read(files.open(i), each)) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean read(InputStream in, LineReader.Lines each) throws IOException {
    try (InputStream stream = in) {
      boolean go = reader.read(stream, each);
      files += ReadAhead.missing(stream) ? 0 : 1;
      return go;
    } catch (EOFException | ZipException e) {
      // Only gzip data ends early or breaks: a file being written, or damaged. Read up to there.
      files++;
      skipped++;
      return true;
    }
  }

  SearchStats stats(long matched, boolean limited, long startNanos) {
    return new SearchStats(files, reader.bytes(), lines, parsed, matched, skipped, limited,
        Duration.ofNanos(System.nanoTime() - startNanos));
  }
}
