package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where Relay writes its own log files.
 *
 * @param directory absolute path for the protocol log and the relay log
 */
public record LoggingConfig(Path directory) {

  public LoggingConfig {
    Objects.requireNonNull(directory, "directory");
  }
}
