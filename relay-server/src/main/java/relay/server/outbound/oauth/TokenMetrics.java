package relay.server.outbound.oauth;

/**
 * Where an outbound connector's token activity is published: a {@link TokenListener} counting its
 * requests by result, and the time left on its current tokens. Lets the composition root bind
 * Micrometer without this package knowing it.
 *
 * <p>Implementations are thread-safe; {@link #expiry} may be called again for a connector whose
 * configuration changed, replacing the sources it reads.
 */
public interface TokenMetrics {

  /** The listener for the token requests of {@code connector}. */
  TokenListener listener(String connector);

  /** From now on, the time left on {@code connector}'s tokens is read from {@code sources}. */
  void expiry(String connector, TokenSources sources);
}
