package relay.server.outbound.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a cached token is renewed, and how long a failed request is remembered.
 *
 * <p>A token is renewed {@code margin} before it expires, but never earlier than {@code
 * maxFraction} of its lifetime before expiry, so that short-lived tokens (a test tenant, a proxy)
 * are not renewed on every call. After a failed request with no usable token left, callers get the
 * same failure for {@code failureHold} instead of each asking again: a broken credential must not
 * hammer the endpoint.
 *
 * <p>Invariants: margin and failureHold are not negative; 0 &lt; maxFraction &lt; 1. Immutable.
 */
public record RefreshPolicy(Duration margin, double maxFraction, Duration failureHold) {

  /** Renew 5 minutes ahead (at most half the lifetime ahead); hold failures for 30 seconds. */
  public static final RefreshPolicy DEFAULT =
      new RefreshPolicy(Duration.ofMinutes(5), 0.5, Duration.ofSeconds(30));

  public RefreshPolicy {
    Objects.requireNonNull(margin, "margin");
    Objects.requireNonNull(failureHold, "failureHold");
    if (margin.isNegative() || failureHold.isNegative()) {
      throw new IllegalArgumentException("margin and failure hold must not be negative");
    }
    if (!(maxFraction > 0 && maxFraction < 1)) {
      throw new IllegalArgumentException("maxFraction must be between 0 and 1: " + maxFraction);
    }
  }

  /** The instant from which {@code token} should be replaced. */
  public Instant renewAt(AccessToken token) {
    Duration lifetime = token.lifetime();
    Duration cap = Duration.ofMillis((long) (lifetime.toMillis() * maxFraction));
    Duration ahead = margin.compareTo(cap) < 0 ? margin : cap;
    return token.expiresAt().minus(ahead);
  }
}
