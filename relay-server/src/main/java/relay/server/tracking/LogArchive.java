package relay.server.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rolled files of one {@link LineFile}: names them, compresses them ({@code .log} to {@code
 * .log.gz}) and removes the oldest once they are older than the retention's days or together, with
 * room for the current file, larger than its total.
 *
 * <p>Names ({@link RolledLog}): {@code NAME.DAY.log.gz} holds a whole UTC day; a day that rolled by
 * size is in parts {@code NAME.DAY.1.log.gz}, {@code NAME.DAY.2.log.gz}, ... in order. Files whose
 * names do not parse are never touched.
 *
 * <p>Threading: {@link #rolledName} is called by the writer thread; {@link #compressAndPrune} and
 * {@link #tidy} run on background threads, one at a time (synchronized), so two never prune at once.
 * Failures are logged and leave the files as they are.
 */
final class LogArchive {

  private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);

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
    List<RolledLog> ofDay = rolled().stream().filter(r -> r.day().equals(day)).toList();
    int part = ofDay.stream().mapToInt(RolledLog::part).max().orElse(0);
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
      for (RolledLog r : rolled()) {
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
    try (InputStream in = Files.newInputStream(rolled); OutputStream out = new FastGzip(Files.newOutputStream(gz))) {
      in.transferTo(out);
    } catch (NoSuchFileException e) {
      return; // pruned before its turn came
    }
    Files.delete(rolled);
  }

  /**
   * gzip at the fastest level. Measured on a 50 MB protocol.log: the default level took 470 ms of
   * CPU and left 5.7 % of the bytes, the fastest 133 ms and 7.5 %. A roll comes when the relay is
   * busiest, so its CPU is better spent on mail than on the last quarter of compression.
   */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 64 << 10);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  private void prune(LocalDate today) throws IOException {
    LocalDate oldest = today.minusDays(retention.keepDays());
    List<RolledLog> files = rolled();
    long total = retention.maxFileSize(); // room for the file being written
    for (RolledLog r : files) {
      total += Files.size(r.path());
    }
    int removed = 0;
    for (RolledLog r : files) {
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
  private List<RolledLog> rolled() throws IOException {
    List<RolledLog> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, RolledLog.glob(name))) {
      for (Path file : files) {
        RolledLog.parse(name, file).ifPresent(out::add);
      }
    }
    out.sort(RolledLog.ORDER);
    return out;
  }
}
