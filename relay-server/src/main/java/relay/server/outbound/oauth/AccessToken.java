package relay.server.outbound.oauth;

import relay.core.connector.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An app-only access token and its validity. {@code issuedAt} is when the request was sent (not when
 * the reply came), so {@code expiresAt} errs early rather than late.
 *
 * <p>Invariant: {@code expiresAt} is after {@code issuedAt}. Immutable; {@code toString()} masks the
 * token because {@link Secret} does.
 */
public record AccessToken(Secret value, String tokenType, Instant issuedAt, Instant expiresAt) {

  public AccessToken {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(tokenType, "tokenType");
    if (!expiresAt.isAfter(issuedAt)) {
      throw new IllegalArgumentException("token expires before it is issued");
    }
  }

  /** How long the token was issued for. */
  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  /** Time left at {@code now}; negative once expired. */
  public Duration remaining(Instant now) {
    return Duration.between(now, expiresAt);
  }
}
