package relay.core.envelope;

import java.util.Objects;

/**
 * The queue identifier the spool gives a message ({@code 250 2.0.0 Ok queued as <id>}).
 *
 * <p>Invariant: only letters, digits, {@code -} and {@code _}, so that it is safe as a file name and
 * in log lines.
 */
public record MessageId(String value) {

  public MessageId {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || !value.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_')) {
      throw new IllegalArgumentException("invalid message id: '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
