package relay.server.outbound.oauth;

import java.io.IOException;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import relay.core.connector.SubmissionCredential;
import relay.server.tls.PemKeyMaterial;

/**
 * One {@link TokenSource} per configured OAuth credential, made on first use and shared by every
 * mailbox that uses the credential (one cache, one request in flight per credential).
 *
 * <p>Thread-safe. Owns its {@link TokenClient}: {@link #close} ends it.
 */
public final class TokenSources implements AutoCloseable {

  private final TokenClient client;
  private final InstantSource clock;
  private final RefreshPolicy policy;
  private final TokenListener listener;
  private final Map<SubmissionCredential.OAuth, TokenSource> sources = new ConcurrentHashMap<>();

  public TokenSources(TokenClient client, InstantSource clock, RefreshPolicy policy, TokenListener listener) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * The source for {@code credential}.
   *
   * @throws IOException when the credential's certificate or key cannot be read
   */
  public TokenSource forCredential(SubmissionCredential.OAuth credential) throws IOException {
    TokenSource existing = sources.get(credential);
    if (existing != null) {
      return existing;
    }
    TokenSource made = new TokenSource(endpoint(credential), client, clock, policy, listener);
    TokenSource raced = sources.putIfAbsent(credential, made);
    return raced == null ? made : raced;
  }

  /** Every source made so far (for a gauge of time left on each token). */
  public Map<SubmissionCredential.OAuth, TokenSource> all() {
    return Map.copyOf(sources);
  }

  /** Ends the token client; sources made so far fail their next refresh. */
  @Override
  public void close() {
    client.close();
  }

  private static TokenEndpoint endpoint(SubmissionCredential.OAuth c) throws IOException {
    ClientCredential credential = c.clientSecret() != null
        ? new ClientSecret(c.clientSecret())
        : new ClientCertificate(PemKeyMaterial.read(c.certificate(), c.key()));
    return new TokenEndpoint(c.authority(), c.tenant(), c.clientId(), c.scope(), credential);
  }
}
