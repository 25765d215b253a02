package relay.server.main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads what running relays under a test directory wrote to their {@code tracking.log} files. */
final class TrackingFiles {

  private TrackingFiles() {}

  static List<String> lines(Path under) {
    try (Stream<Path> files = Files.walk(under)) {
      List<Path> logs = files.filter(p -> p.getFileName().toString().equals("tracking.log")).sorted().toList();
      return logs.stream().flatMap(TrackingFiles::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<String> read(Path file) {
    try {
      return Files.readAllLines(file).stream().filter(l -> !l.isBlank());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
