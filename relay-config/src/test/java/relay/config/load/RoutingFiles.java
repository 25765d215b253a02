package relay.config.load;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import relay.config.model.RelayConfig;

/**
 * Writes small routing configurations under a test's directory: one listener with a "printers" and
 * an "office" inbound connector, plus whatever routing text the test gives.
 */
final class RoutingFiles {

  static final String LISTENER = """
      relay.listeners = [{
        name = "lan", address = "127.0.0.1", port = 2525
        inbound-connectors = [
          { name = "printers", client-networks = ["10.1.2.0/24"] }
          { name = "office", client-networks = ["10.0.0.0/8"], relay = true }
        ]
      }]
      """;

  private final Path dir;

  RoutingFiles(Path dir) {
    this.dir = dir;
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  RelayConfig load(String routing) throws IOException {
    return load(routing, Map.of());
  }

  RelayConfig load(String routing, Map<String, String> environment) throws IOException {
    return ConfigLoader.load(Optional.of(write("relay.conf", LISTENER + routing)), environment);
  }

  /** The problems, with the directory removed from file names; the listener takes lines 1-7. */
  List<String> problems(String routing, Map<String, String> environment) throws IOException {
    Path file = write("relay.conf", LISTENER + routing);
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
        () -> ConfigLoader.load(Optional.of(file), environment));
    if (e == null) {
      throw new AssertionError("the configuration loaded without a problem");
    }
    return e.problems().stream().map(p -> p.toString().replace(dir + "/", "")).toList();
  }

  List<String> problems(String routing) throws IOException {
    return problems(routing, Map.of());
  }
}
