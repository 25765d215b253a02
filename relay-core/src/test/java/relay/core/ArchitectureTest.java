package relay.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps relay-core the domain: no adapter libraries, no configuration module, no ambient clock.
 * Reads the main sources of this module (Maven runs tests with the module as working directory).
 */
class ArchitectureTest {

  private static final Pattern FORBIDDEN_IMPORT =
      Pattern.compile("^import\\s+(static\\s+)?(io\\.netty|com\\.typesafe|io\\.micrometer|org\\.eclipse\\.angus|jakarta\\.mail|relay\\.config|relay\\.server)\\b.*", Pattern.MULTILINE);
  private static final Pattern AMBIENT_CLOCK =
      Pattern.compile("(Instant|LocalDateTime|ZonedDateTime|OffsetDateTime|LocalDate)\\.now\\(\\)|System\\.currentTimeMillis\\(\\)|Clock\\.system");

  private static List<Path> coreSources() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  @Test
  void coreImportsNoAdapterLibraryNorOuterModule() throws IOException {
    List<Path> sources = coreSources();
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      assertThat(FORBIDDEN_IMPORT.matcher(Files.readString(source)).find())
          .as("%s imports an adapter library or an outer module", source)
          .isFalse();
    }
  }

  @Test
  void coreNeverReadsTheClockDirectly() throws IOException {
    for (Path source : coreSources()) {
      assertThat(AMBIENT_CLOCK.matcher(Files.readString(source)).find())
          .as("%s reads the clock directly; inject an InstantSource", source)
          .isFalse();
    }
  }
}
