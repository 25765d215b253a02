package relay.core.connector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (a client secret, a password, a key passphrase, an access token) that never shows
 * itself by accident. {@link #toString()}, and therefore every log line, exception message and
 * {@code check-config} report that prints a record holding one, shows only where the secret came
 * from; {@link #reveal()} hands out the value at the one place that must send it.
 *
 * <p>Invariants: the value is non-empty; the source is safe to show ({@code env:NAME},
 * {@code file:/path}, {@code literal}, {@code runtime}). Equality compares the source and, in
 * constant time, the value, so records holding secrets compare as values in tests without a timing
 * side channel. The hash code is constant so it leaks nothing about the value. Immutable and
 * thread-safe.
 */
public final class Secret {

  /** The source of secrets obtained at run time rather than from the configuration (tokens). */
  public static final String RUNTIME = "runtime";

  private final String source;
  private final String value;

  /**
   * @param source where the value came from, safe to show
   * @param value the secret itself, non-empty
   */
  public Secret(String source, String value) {
    this.source = Objects.requireNonNull(source, "source");
    this.value = Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret is never empty");
    }
  }

  /** A secret obtained at run time (an access token, a value a test made up). */
  public static Secret of(String value) {
    return new Secret(RUNTIME, value);
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
  public boolean equals(Object other) {
    return other instanceof Secret that
        && that.source.equals(source)
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0x5ec7e7;
  }

  @Override
  public String toString() {
    return "secret(" + source + ")";
  }
}
