package relay.config.secret;

import java.util.Objects;

/**
 * A credential resolved from the configuration (a client secret, a password, a key passphrase).
 * The value is only handed out by {@link #reveal()}; {@link #toString()}, and therefore every log
 * line, error message and {@code check-config} report that prints a configuration record, shows
 * only where the secret came from.
 *
 * <p>Invariant: the value is non-empty. Immutable and thread-safe. Equality is by source and value so
 * records holding secrets compare as values in tests, but the value never leaves through
 * {@code toString}.
 */
public final class Secret {

  private final String source;
  private final String value;

  /**
   * @param source where the value came from, safe to show: {@code env:NAME}, {@code file:/path},
   *     {@code environment substitution} or {@code literal}
   * @param value the secret itself
   */
  public Secret(String source, String value) {
    this.source = Objects.requireNonNull(source, "source");
    this.value = Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret is never empty");
    }
  }

  /** The secret itself: pass it straight to the protocol that needs it, never to a log. */
  public String reveal() {
    return value;
  }

  /** Where the secret came from, e.g. {@code env:M365_CLIENT_SECRET}. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.source.equals(source) && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, value);
  }

  @Override
  public String toString() {
    return "secret(" + source + ")";
  }
}
