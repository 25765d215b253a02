package relay.server.tracking;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Optional;

/**
 * One rolled file of a {@link LineFile} log, as its name tells: {@code NAME.DAY.log.gz} holds a whole
 * UTC day ({@code part} 0); a day that rolled by size is in parts {@code NAME.DAY.1.log.gz}, {@code
 * NAME.DAY.2.log.gz}, ... in order; without {@code .gz} while it waits to be compressed. The one
 * place that knows the naming scheme: {@link LogArchive} names, compresses and prunes by it, and
 * {@code relay trace} picks the files of a time window by it. Immutable.
 *
 * @param path the file
 * @param day the UTC day whose lines it holds
 * @param part 0 for a whole day, else the part number (from 1)
 * @param compressed whether it is gzip-compressed ({@code .log.gz})
 */
public record RolledLog(Path path, LocalDate day, int part, boolean compressed) {

  /** Oldest first: by day, then part. */
  public static final Comparator<RolledLog> ORDER =
      Comparator.comparing(RolledLog::day).thenComparingInt(RolledLog::part);

  /** The glob that lists the candidates for log {@code name} (names that do not {@link #parse} are not ours). */
  public static String glob(String name) {
    return name + ".*.log*";
  }

  /** The file {@code file} as a rolled file of log {@code name}, or empty when its name is not one. */
  public static Optional<RolledLog> parse(String name, Path file) {
    String text = file.getFileName().toString();
    boolean compressed = text.endsWith(".log.gz");
    if (!text.startsWith(name + ".") || (!compressed && !text.endsWith(".log"))) {
      return Optional.empty();
    }
    int end = text.length() - (compressed ? ".log.gz" : ".log").length();
    if (end <= name.length() + 1) {
      return Optional.empty();
    }
    String middle = text.substring(name.length() + 1, end);
    int dot = middle.indexOf('.');
    try {
      LocalDate day = LocalDate.parse(dot < 0 ? middle : middle.substring(0, dot));
      int part = dot < 0 ? 0 : Integer.parseInt(middle.substring(dot + 1));
      return part < 0 ? Optional.empty() : Optional.of(new RolledLog(file, day, part, compressed));
    } catch (DateTimeParseException | NumberFormatException e) {
      return Optional.empty(); // not one of ours: leave it
    }
  }
}
