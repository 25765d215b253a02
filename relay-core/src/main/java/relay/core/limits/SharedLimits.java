package relay.core.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The port to a store of lane limits shared by every Relay node of a cluster: attempts at once
 * (leases that expire when their node stops renewing them), messages per window, recipients per
 * window and throttle pauses, per connector and lane. Each call decides atomically for all the
 * claimed lanes: all are counted, or none.
 *
 * <p>The ready lanes ask it after their own, node-local bookkeeping granted a lease, outside their
 * lock; a refusal puts the message back in its lane's line until the time given.
 *
 * <p>Threading: implementations are safe for concurrent use. {@link #acquire} and {@link #release}
 * may block on the network for up to the store's timeout: call them from a virtual thread (a
 * delivery attempt's), never from an event loop or while holding a lock others wait for. They never
 * throw for a store that is unreachable: that is an {@link SharedGrant.Unavailable} answer, and a
 * release that cannot be sent lets the lease expire.
 */
public interface SharedLimits extends AutoCloseable {

  /**
   * Asks for one attempt on every claimed lane of {@code connector} at {@code now}.
   *
   * @param claims one per lane, in the order the lanes were leased locally; never empty
   */
  SharedGrant acquire(String connector, List<LaneClaim> claims, Instant now);

  /**
   * The attempt on {@code grant} ended at {@code now}: its lanes are free again, its messages count
   * from now in their windows, and {@code throttled} (the upstream said "too many") rests every paced
   * lane of it for its throttle pause, or for {@code restAtLeast} when the upstream asked for longer
   * (Graph's {@code Retry-After}), on every node. Called at most once per grant.
   */
  void release(SharedGrant.Granted grant, boolean throttled, Duration restAtLeast, Instant now);

  /** Stops renewing leases (they expire by themselves) and frees the connection. */
  @Override
  void close();
}
