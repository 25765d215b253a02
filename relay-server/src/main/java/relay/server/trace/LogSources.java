package relay.server.trace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import relay.server.tracking.RolledLog;

/**
 * Picks the files of one log that can hold lines of a time window, oldest first, by their names
 * alone ({@link RolledLog}: a rolled file's name gives its UTC day), so a search over the last two
 * hours opens today's files only. The live file {@code NAME.log} comes last; it holds lines from
 * the start of the day it was last written (it rolls at UTC midnight) to its modification time.
 *
 * <p>Lines are stamped by the event's own clock and filed by the writer's, a moment apart, so a line
 * from 23:59:59.999 may sit in the next day's file: every file is taken with {@link #SLACK} either
 * side. A rolled file that exists both uncompressed and compressed is being compressed right now:
 * the uncompressed one is complete, the other may not be, so the uncompressed one is read.
 *
 * <p>Stateless; the directory is listed at each call.
 */
final class LogSources {

  /** How far a line's time may stray from the day of the file it is in. */
  static final Duration SLACK = Duration.ofMinutes(5);

  private final Path directory;
  private final String name;

  LogSources(Path directory, String name) {
    this.directory = directory;
    this.name = name;
  }

  /** The files that can hold lines from {@code since} to {@code until}, oldest first. */
  List<LogSource> between(Instant since, Instant until) throws IOException {
    List<LogSource> out = new ArrayList<>();
    for (LogSource source : all()) {
      if (source.overlaps(since, until, SLACK)) {
        out.add(source);
      }
    }
    return out;
  }

  /** Every file of the log, oldest first: rolled days and parts, then the live file. */
  List<LogSource> all() throws IOException {
    Map<String, RolledLog> byName = new HashMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, RolledLog.glob(name))) {
      for (Path file : files) {
        RolledLog.parse(name, file).ifPresent(r -> {
          // One entry per day and part; the uncompressed copy wins (see above).
          String key = r.day() + "." + r.part();
          RolledLog seen = byName.get(key);
          if (seen == null || seen.compressed()) {
            byName.put(key, r);
          }
        });
      }
    }
    List<RolledLog> rolled = new ArrayList<>(byName.values());
    rolled.sort(RolledLog.ORDER);
    List<LogSource> out = new ArrayList<>();
    for (RolledLog r : rolled) {
      out.add(LogSource.ofDay(r.path(), r.day(), r.compressed()));
    }
    Path live = directory.resolve(name + ".log");
    try {
      if (Files.isRegularFile(live)) {
        Instant modified = Files.getLastModifiedTime(live).toInstant();
        Instant dayStart = modified.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
        out.add(new LogSource(live, dayStart, modified, false));
      }
    } catch (NoSuchFileException e) {
      // rolled away between the two calls: its lines are in the newest rolled file now
    }
    return out;
  }
}
