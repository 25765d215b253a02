package relay.server.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources}. Run with {@code -Dgolden.update=true} to write the
 * actual output into the source tree instead of comparing, then review the diff.
 */
final class Golden {

  private Golden() {}

  static Path path(String resource) throws URISyntaxException {
    return Path.of(Golden.class.getClassLoader().getResource(resource).toURI());
  }

  static void assertMatches(String resource, String actual) throws Exception {
    String normalized = actual.replace("\r\n", "\n");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources", resource), normalized, StandardCharsets.UTF_8);
      return;
    }
    assertThat(normalized).isEqualTo(Files.readString(path(resource), StandardCharsets.UTF_8));
  }
}
