package relay.server.outbound.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (client secret, access token) that never shows itself by accident: {@link
 * #toString()} prints a fixed mask, so a secret in a record, a log argument or an exception message
 * reveals nothing. Only {@link #reveal()} gives the value, at the one place that must send it.
 *
 * <p>Immutable and thread-safe. Equality compares values in constant time.
 */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /** Wraps a non-empty secret value. */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty secret");
    }
    return new Secret(value);
  }

  /** The value itself: call it only where the value is sent, never to log or describe it. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret that
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    // a constant keeps the hash from leaking anything about the value
    return 0x5ec7e7;
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
