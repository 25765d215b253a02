package relay.core.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The store of a relay that is no cluster: it grants every claim at once, without I/O, because the
 * ready lanes' own bookkeeping is then the whole of the limits. With it, delivery behaves exactly as
 * before shared limits existed.
 *
 * <p>Stateless; thread-safe.
 */
public final class NodeLocalLimits implements SharedLimits {

  private final SharedGrant.Granted granted = new SharedGrant.Granted("node-local");

  @Override
  public SharedGrant acquire(String connector, List<LaneClaim> claims, Instant now) {
    return granted;
  }

  @Override
  public void release(SharedGrant.Granted grant, boolean throttled, Duration restAtLeast, Instant now) {
    // nothing is counted outside the lanes
  }

  @Override
  public void close() {
    // nothing to free
  }
}
