package relay.server.outbound.oauth;

import java.time.Duration;

/**
 * Hears about token requests, so that metrics (a counter by endpoint and {@link RefreshOutcome}, a
 * timer) can be wired in the composition root without this package knowing Micrometer. The time
 * left on the current token is read from {@link TokenSource#remaining()} (a gauge).
 *
 * <p>Called on the thread that made the request, after the cache is updated; implementations must
 * be thread-safe, quick and must not throw.
 */
@FunctionalInterface
public interface TokenListener {

  /** Ignores everything. */
  TokenListener NONE = (endpoint, outcome, took) -> {};

  /** One request to {@code endpoint} ended with {@code outcome} after {@code took}. */
  void requested(TokenEndpoint endpoint, RefreshOutcome outcome, Duration took);
}
