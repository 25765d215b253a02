package relay.server.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rolled files of one {@link LineFile}: names them, compresses them ({@code .log} to {@code
 * .log.gz}) and removes the oldest once they are older than the retention's days or together, with
 * room for the current file, larger than its total.
 *
 * <p>Names: {@code NAME.DAY.log.gz} holds a whole UTC day; a day that rolled by size is in parts
 * {@code NAME.DAY.1.log.gz}, {@code NAME.DAY.2.log.gz}, ... in order. Files whose names do not
 * parse are never touched.
 *
 * <p>Threading: {@link #rolledName} is called by the writer thread; {@link #compressAndPrune} and
 * {@link #tidy} run on background threads, one at a time (synchronized), so two never prune at once.
 * Failures are logged and leave the files as they are.
 */
final class LogArchive {

  private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);

  /** A rolled file, compressed or not; {@code part} 0 for a whole day. */
  private record Rolled(Path path, LocalDate day, int part, boolean compressed) {}

  private final Path directory;
  private final String name;
  private final LogRetention retention;

  LogArchive(Path directory, String name, LogRetention retention) {
    this.directory = directory;
    this.name = name;
    this.retention = retention;
  }

  /**
   * The name for the file rolled now from {@code day}: the whole day when it ends at midnight and
   * never rolled by size, else its next part. Never the name of a file that exists.
   */
  String rolledName(LocalDate day, boolean bySize) throws IOException {
    List<Rolled> ofDay = rolled().stream().filter(r -> r.day().equals(day)).toList();
    int part = ofDay.stream().mapToInt(Rolled::part).max().orElse(0);
    if (!bySize && ofDay.isEmpty()) {
      return name + "." + day + ".log";
    }
    String candidate;
    do {
      part++;
      candidate = name + "." + day + "." + part + ".log";
    } while (Files.exists(directory.resolve(candidate)) || Files.exists(directory.resolve(candidate + ".gz")));
    return candidate;
  }

  /** Compresses {@code rolled} (already gone: nothing to do), then prunes. */
  synchronized void compressAndPrune(Path rolled, LocalDate today) {
    try {
      compress(rolled);
      prune(today);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}.log: archiving {} failed: {}", name, rolled.getFileName(), e.toString());
    }
  }

  /** At start: compresses files a stop left uncompressed, and applies the retention (which may have changed). */
  synchronized void tidy(LocalDate today) {
    try {
      for (Rolled r : rolled()) {
        if (!r.compressed()) {
          compress(r.path());
        }
      }
      prune(today);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}.log: tidying the rolled files failed: {}", name, e.toString());
    }
  }

  private static void compress(Path rolled) throws IOException {
    Path gz = rolled.resolveSibling(rolled.getFileName() + ".gz");
    try (InputStream in = Files.newInputStream(rolled); OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      in.transferTo(out);
    } catch (NoSuchFileException e) {
      return; // pruned before its turn came
    }
    Files.delete(rolled);
  }

  private void prune(LocalDate today) throws IOException {
    LocalDate oldest = today.minusDays(retention.keepDays());
    List<Rolled> files = rolled();
    long total = retention.maxFileSize(); // room for the file being written
    for (Rolled r : files) {
      total += Files.size(r.path());
    }
    int removed = 0;
    for (Rolled r : files) {
      if (r.day().isBefore(oldest) || total > retention.maxTotalSize()) {
        total -= Files.size(r.path());
        Files.delete(r.path());
        removed++;
      }
    }
    if (removed > 0) {
      LOG.info("{}.log: removed {} rolled file(s) (older than {} days or past the {} octets it may take)",
          name, removed, retention.keepDays(), retention.maxTotalSize());
    }
  }

  /** This log's rolled files, oldest first. */
  private List<Rolled> rolled() throws IOException {
    List<Rolled> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, name + ".*.log*")) {
      for (Path file : files) {
        parse(file).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(Rolled::day).thenComparingInt(Rolled::part));
    return out;
  }

  private Optional<Rolled> parse(Path file) {
    String text = file.getFileName().toString();
    boolean compressed = text.endsWith(".log.gz");
    if (!compressed && !text.endsWith(".log")) {
      return Optional.empty();
    }
    String middle = text.substring(name.length() + 1, text.length() - (compressed ? ".log.gz" : ".log").length());
    int dot = middle.indexOf('.');
    try {
      LocalDate day = LocalDate.parse(dot < 0 ? middle : middle.substring(0, dot));
      int part = dot < 0 ? 0 : Integer.parseInt(middle.substring(dot + 1));
      return part < 0 ? Optional.empty() : Optional.of(new Rolled(file, day, part, compressed));
    } catch (DateTimeParseException | NumberFormatException e) {
      return Optional.empty(); // not one of ours: leave it
    }
  }
}
