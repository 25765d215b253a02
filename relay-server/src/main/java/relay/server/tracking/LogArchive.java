package relay.server.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rolled days of one {@link LineFile}: compresses a finished day ({@code NAME.DAY.log} to {@code
 * NAME.DAY.log.gz}) and removes days older than the retention. Runs off the writer thread, once per
 * day; failures are logged and leave the files as they are (nothing is deleted unless compressed).
 *
 * <p>Stateless apart from its settings; one call at a time per file name.
 */
final class LogArchive {

  private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);

  private final Path directory;
  private final String name;
  private final int keepDays;

  LogArchive(Path directory, String name, int keepDays) {
    this.directory = directory;
    this.name = name;
    this.keepDays = keepDays;
  }

  void compressAndPrune(Path rolled, LocalDate today) {
    try {
      Path gz = rolled.resolveSibling(rolled.getFileName() + ".gz");
      try (InputStream in = Files.newInputStream(rolled); OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
        in.transferTo(out);
      }
      Files.delete(rolled);
      prune(today);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}.log: archiving {} failed: {}", name, rolled.getFileName(), e.toString());
    }
  }

  private void prune(LocalDate today) throws IOException {
    LocalDate oldest = today.minusDays(keepDays);
    try (DirectoryStream<Path> days = Files.newDirectoryStream(directory, name + ".*.log.gz")) {
      for (Path day : days) {
        String file = day.getFileName().toString();
        String date = file.substring(name.length() + 1, file.length() - ".log.gz".length());
        try {
          if (LocalDate.parse(date).isBefore(oldest)) {
            Files.delete(day);
          }
        } catch (DateTimeParseException e) {
          // not one of ours: leave it
        }
      }
    }
  }
}
