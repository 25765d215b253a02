package relay.server.trace;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into lines of raw bytes without decoding them: the search looks at bytes first
 * and decodes only the few lines it keeps. Reads through one buffer (1 MiB, grown for a longer
 * line up to {@link #MAX_LINE}; a longer line is skipped), so a file of any size takes the same
 * memory.
 *
 * <p>Not thread-safe: one per reading thread; reusable for one stream after another.
 */
final class LineReader {

  /** What is done with each line; false stops the reading. */
  @FunctionalInterface
  interface Lines {
    boolean line(byte[] buffer, int start, int end) throws IOException;
  }

  /** A line longer than this is not a tracking line Relay wrote: it is skipped. */
  static final int MAX_LINE = 16 << 20;

  private byte[] buffer = new byte[1 << 20];
  private long bytes;

  /** Octets read by this reader so far. */
  long bytes() {
    return bytes;
  }

  /**
   * Hands every line of {@code in} (without its line break; a last line without one too) to {@code
   * lines}, in order, until the end or until it returns false.
   *
   * @return false when {@code lines} stopped the reading
   */
  boolean read(InputStream in, Lines lines) throws IOException {
    int filled = 0;
    int start = 0;
    int scanned = 0;
    boolean skipping = false;
    while (true) {
      int n = in.read(buffer, filled, buffer.length - filled);
      if (n < 0) {
        if (filled > start && !skipping) {
          return lines.line(buffer, start, filled);
        }
        return true;
      }
      bytes += n;
      filled += n;
      for (int i = Bytes.indexOf(buffer, (byte) '\n', scanned, filled); i >= 0;
          i = Bytes.indexOf(buffer, (byte) '\n', start, filled)) {
        if (!skipping && i > start && !lines.line(buffer, start, i)) {
          return false;
        }
        skipping = false;
        start = i + 1;
      }
      scanned = filled;
      if (start > 0) {
        // Keep the unfinished line at the front.
        System.arraycopy(buffer, start, buffer, 0, filled - start);
        filled -= start;
        scanned -= start;
        start = 0;
      }
      if (filled == buffer.length) {
        if (buffer.length >= MAX_LINE) {
          skipping = true; // not ours: drop what there is and the rest up to the next line break
          filled = 0;
          scanned = 0;
        } else {
          byte[] larger = new byte[Math.min(MAX_LINE, buffer.length * 2)];
          System.arraycopy(buffer, 0, larger, 0, filled);
          buffer = larger;
        }
      }
    }
  }
}
