package relay.server.outbound.oauth;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token for one {@link TokenEndpoint} (one credential): cached, renewed ahead of expiry
 * per {@link RefreshPolicy}, and fetched by at most one request at a time.
 *
 * <p>Behaviour of {@link #token()}:
 * <ul>
 *   <li>a cached token not yet due for renewal is returned at once;
 *   <li>otherwise the first caller (the leader) sends the request on its own thread; callers that
 *       come meanwhile get the old token if it is still valid, else wait for the leader's result
 *       (single flight: twenty callers, one request);
 *   <li>if renewal fails while the old token is still valid, the old token keeps being used and the
 *       next renewal is tried after {@code failureHold}; with no valid token the failure is thrown,
 *       and repeated to later callers during {@code failureHold} without a new request.
 * </ul>
 * {@link #invalidate(AccessToken)} drops the cached token after the upstream refused it ({@code 535
 * 5.7.3}), but only if it is still the cached one, so that many sessions failing with the same
 * token cause a single new request.
 *
 * <p>Thread-safe; blocking (call from virtual threads). Time comes only from the injected clock.
 */
public final class TokenSource {

  private static final Logger LOG = LoggerFactory.getLogger(TokenSource.class);

  private final TokenEndpoint endpoint;
  private final TokenClient client;
  private final InstantSource clock;
  private final RefreshPolicy policy;
  private final TokenListener listener;

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private AccessToken cached;
  private CompletableFuture<AccessToken> inFlight;
  private TokenException lastFailure;
  private Instant failedAt;

  public TokenSource(
      TokenEndpoint endpoint,
      TokenClient client,
      InstantSource clock,
      RefreshPolicy policy,
      TokenListener listener) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The endpoint (and credential) this source serves. */
  public TokenEndpoint endpoint() {
    return endpoint;
  }

  /** A valid token, from the cache or a new request; blocks while a needed request runs. */
  public AccessToken token() throws TokenException {
    CompletableFuture<AccessToken> flight;
    boolean leader = false;
    lock.lock();
    try {
      Instant now = clock.instant();
      boolean valid = cached != null && now.isBefore(cached.expiresAt());
      boolean holding = lastFailure != null && now.isBefore(failedAt.plus(policy.failureHold()));
      if (valid && (now.isBefore(policy.renewAt(cached)) || inFlight != null || holding)) {
        return cached;
      }
      if (inFlight != null) {
        flight = inFlight;
      } else if (holding) {
        throw repeat(lastFailure);
      } else {
        flight = new CompletableFuture<>();
        inFlight = flight;
        leader = true;
      }
    } finally {
      lock.unlock();
    }
    return leader ? lead(flight) : await(flight);
  }

  /**
   * Forgets {@code refused} if it is still the cached token, so that the next {@link #token()}
   * asks for a new one. Call it once after the upstream rejected the token ({@code 535 5.7.3}).
   */
  public void invalidate(AccessToken refused) {
    lock.lock();
    try {
      if (cached != null && cached.value().equals(refused.value())) {
        cached = null;
        LOG.info("token for {} refused upstream; a new one will be requested", endpoint.describe());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Time left on the cached token (negative once expired), or empty when none is cached. */
  public Optional<Duration> remaining() {
    lock.lock();
    try {
      return Optional.ofNullable(cached).map(t -> t.remaining(clock.instant()));
    } finally {
      lock.unlock();
    }
  }

  /** Sends the request (without the lock), records the result and completes {@code flight}. */
  private AccessToken lead(CompletableFuture<AccessToken> flight) throws TokenException {
    Instant start = clock.instant();
    try {
      AccessToken fresh = client.request(endpoint);
      settle(fresh, null);
      flight.complete(fresh);
      LOG.info(
          "token for {} issued, valid for {} s",
          endpoint.describe(), fresh.lifetime().toSeconds());
      listener.requested(endpoint, RefreshOutcome.SUCCEEDED, Duration.between(start, clock.instant()));
      return fresh;
    } catch (TokenException e) {
      AccessToken fallback = settle(null, e);
      flight.completeExceptionally(e);
      LOG.warn("{}", e.getMessage());
      listener.requested(endpoint, RefreshOutcome.of(e), Duration.between(start, clock.instant()));
      if (fallback != null) {
        return fallback;
      }
      throw e;
    } catch (RuntimeException | Error e) {
      TokenException failure =
          new TokenException("token request for " + endpoint.describe() + " failed: " + e, null, e);
      settle(null, failure);
      flight.completeExceptionally(failure);
      listener.requested(endpoint, RefreshOutcome.FAILED, Duration.between(start, clock.instant()));
      throw e;
    }
  }

  /** Records the result; returns the cached token if it is still valid after a failure. */
  private AccessToken settle(AccessToken fresh, TokenException failure) {
    lock.lock();
    try {
      inFlight = null;
      if (fresh != null) {
        cached = fresh;
        lastFailure = null;
        return fresh;
      }
      lastFailure = failure;
      failedAt = clock.instant();
      return cached != null && failedAt.isBefore(cached.expiresAt()) ? cached : null;
    } finally {
      lock.unlock();
    }
  }

  private AccessToken await(CompletableFuture<AccessToken> flight) throws TokenException {
    try {
      return flight.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TokenException failure) {
        throw repeat(failure);
      }
      throw new TokenException(
          "token request for " + endpoint.describe() + " failed: " + e.getCause(), null, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenException("interrupted while waiting for a token for " + endpoint.describe(), null, e);
    }
  }

  // a fresh exception per caller, so each stack trace shows its own caller
  private static TokenException repeat(TokenException failure) {
    return new TokenException(failure.getMessage(), failure.errorReply().orElse(null), failure);
  }
}
