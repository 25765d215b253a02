package relay.server.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * One file of the tracking log to read: a rolled day or part ({@code tracking.DAY[.N].log[.gz]}) or
 * the live {@code tracking.log}, with the span of time its lines can have. Immutable.
 *
 * @param path the file
 * @param from no line in it is older than this (less a margin, see {@link LogSources})
 * @param to no line in it is newer than this (plus the margin)
 * @param compressed whether to read it through gzip
 */
record LogSource(Path path, Instant from, Instant to, boolean compressed) {

  LogSource {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }

  /** A rolled file holding the lines of UTC day {@code day}. */
  static LogSource ofDay(Path path, LocalDate day, boolean compressed) {
    Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    return new LogSource(path, start, day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), compressed);
  }

  /** Whether lines from {@code since} to {@code until} can be in it, {@code slack} allowed either side. */
  boolean overlaps(Instant since, Instant until, Duration slack) {
    return !from.minus(slack).isAfter(until) && !to.plus(slack).isBefore(since);
  }

  /**
   * Opens it for streaming: buffered, through {@link GZIPInputStream} when compressed. Never reads
   * the whole file into memory.
   */
  InputStream open() throws IOException {
    InputStream in = Files.newInputStream(path);
    try {
      return compressed ? new GZIPInputStream(in, 1 << 16) : new BufferedInputStream(in, 1 << 16);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
