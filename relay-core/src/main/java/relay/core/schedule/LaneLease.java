package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.RecipientOutcome;
import relay.core.limits.LaneClaim;
import relay.core.limits.SharedGrant;
import relay.core.spool.QueuedMessage;

/**
 * Permission to attempt one message on its ready lanes, granted by {@link ReadyLanes}. Its life:
 * granted under the lanes' lock; {@link #share} asks the store shared with other nodes (outside any
 * lock, on the attempt's own virtual thread), which either lets it go or puts the message back in
 * line; {@link #end} gives everything back exactly once, however often it is called.
 *
 * <p>Threading: {@code share} and {@code end} are called by the thread that runs the attempt;
 * {@code end} may also be called by the one that could not start it.
 */
final class LaneLease {

  private static final Logger log = LoggerFactory.getLogger(LaneLease.class);

  private final ReadyLanes owner;
  private final QueuedMessage message;
  private final List<LaneRule.Demand> demands;
  private final List<ReadyLane> lanes;
  private final Instant grantedAt;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile SharedGrant.Granted shared;

  LaneLease(ReadyLanes owner, QueuedMessage message, List<LaneRule.Demand> demands, List<ReadyLane> lanes,
      Instant grantedAt) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.message = Objects.requireNonNull(message, "message");
    this.demands = demands;
    this.lanes = lanes;
    this.grantedAt = grantedAt;
  }

  QueuedMessage message() {
    return message;
  }

  List<LaneRule.Demand> demands() {
    return demands;
  }

  List<ReadyLane> lanes() {
    return lanes;
  }

  /** When the lanes granted this lease (and counted its turn). */
  Instant grantedAt() {
    return grantedAt;
  }

  /**
   * Asks the shared store for the same lanes. May block on the network: never call it under a lock
   * or on an event loop.
   *
   * @return true when the attempt may start; false when the message went back to its lane's line
   *     (nothing was counted anywhere, the lease is ended)
   */
  boolean share(Instant now) {
    if (lanes.isEmpty()) {
      return true;
    }
    List<LaneClaim> claims = new ArrayList<>(lanes.size());
    for (int i = 0; i < lanes.size(); i++) {
      claims.add(owner.claim(lanes.get(i), demands.get(i)));
    }
    SharedGrant answer;
    try {
      answer = owner.shared().acquire(owner.connector(), claims, now);
    } catch (RuntimeException e) {
      // The port promises never to throw; should a store break that promise, the attempt waits
      // like for an unreachable store instead of losing its slot and its lease.
      log.error("connector '{}': the shared limits store failed; the message waits", owner.connector(), e);
      answer = new SharedGrant.Unavailable(now.plusSeconds(1), "shared limits store failed");
    }
    return switch (answer) {
      case SharedGrant.Granted granted -> {
        shared = granted;
        yield true;
      }
      case SharedGrant.Wait wait -> putBack(wait.lane(), wait.until(), now);
      case SharedGrant.Unavailable unavailable -> putBack(0, unavailable.until(), now);
    };
  }

  private boolean putBack(int lane, Instant until, Instant now) {
    if (ended.getAndSet(true)) {
      return false;
    }
    // A store that answers "now" would have the message tried again at once, forever.
    owner.putBack(this, lane, until.isAfter(now) ? until : now.plusMillis(1));
    return false;
  }

  /** Gives the lanes back; the outcomes say whether the upstream throttled or anything went through. */
  void end(Collection<RecipientOutcome> outcomes, Instant now) {
    if (ended.getAndSet(true) || lanes.isEmpty()) {
      return;
    }
    List<RecipientOutcome> throttles = owner.throttles(outcomes);
    boolean throttled = !throttles.isEmpty();
    // The longest rest any throttling reply asked for (Graph's Retry-After); the pace adds its own floor.
    Duration rest = throttles.stream().map(o -> o.report().restAtLeast()).flatMap(Optional::stream)
        .max(Duration::compareTo).orElse(Duration.ZERO);
    SharedGrant.Granted granted = shared;
    if (granted != null) {
      // First, outside the lanes' lock: the store may be across the network.
      owner.shared().release(granted, throttled, rest, now);
    }
    owner.end(this, outcomes, throttled, rest, now);
  }
}
