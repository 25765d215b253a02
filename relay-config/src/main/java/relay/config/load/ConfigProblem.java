package relay.config.load;

import java.util.Objects;

/**
 * One thing wrong with the configuration, located precisely enough for an operator to fix it.
 *
 * @param file the file (or resource, or {@code environment}) the offending value came from
 * @param line 1-based line in that file, or -1 when the source has no lines
 * @param path the config path, e.g. {@code relay.listeners[0].port}; empty for syntax errors
 * @param message what is wrong, quoting the offending value
 * @param hint how to fix it (a near-miss key, the allowed values); empty when there is none
 */
public record ConfigProblem(String file, int line, String path, String message, String hint) {

  public ConfigProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(hint, "hint");
  }

  /** {@code relay.conf:12: relay.listeners[0].port: 70000 is not a port (1..65535)}, plus the hint. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(file);
    if (line > 0) {
      s.append(':').append(line);
    }
    s.append(": ");
    if (!path.isEmpty()) {
      s.append(path).append(": ");
    }
    s.append(message);
    if (!hint.isEmpty()) {
      s.append(" (").append(hint).append(')');
    }
    return s.toString();
  }
}
