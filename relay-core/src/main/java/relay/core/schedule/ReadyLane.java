package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import relay.core.connector.Pacing;
import relay.core.pacing.MailboxPace;
import relay.core.pacing.Turn;

/**
 * One ready lane (a destination domain or a mailbox): how many attempts it has under way and may
 * have, its pace when it has one, and the due messages waiting for it, first come first served.
 *
 * <p>The limit on attempts at once starts at the configured maximum, drops by one (never below one)
 * each time the upstream throttles the lane, and climbs back by one after each attempt that
 * delivered something.
 *
 * <p>Threading: not thread-safe; {@link ReadyLanes} calls it under its lock.
 */
final class ReadyLane {

  final String key;
  final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final int max;
  private final MailboxPace pace;
  private int limit;
  private int inUse;
  // when the pace last said the head may go; null while the lane waits for room, not for time
  private Instant notBefore;

  /** A due message waiting for this lane, and when it was put here (its place in line). */
  record Waiting(ReadyLanes.LeaseRequest request, long since) {}

  ReadyLane(String key, int max, Pacing pacing) {
    this.key = key;
    this.max = max;
    this.limit = max;
    this.pace = pacing == null ? null : new MailboxPace(pacing);
  }

  /** Whether one more attempt fits under the limit on attempts at once. */
  boolean hasRoom() {
    return inUse < limit;
  }

  /**
   * Asks the pace (if any) for a turn for {@code demand} and counts it when granted.
   *
   * @return empty when granted, else when to ask again and why
   */
  Optional<Turn.WaitUntil> turn(LaneRule.Demand demand, Instant now) {
    if (pace == null) {
      notBefore = null;
      return Optional.empty();
    }
    return switch (pace.reserve(demand.transactions(), demand.recipients(), now)) {
      case Turn.Go go -> {
        notBefore = null;
        yield Optional.empty();
      }
      case Turn.WaitUntil wait -> {
        notBefore = wait.at();
        yield Optional.of(wait);
      }
    };
  }

  /** When the pace lets the waiting messages try again; empty when they wait for room (an attempt ending). */
  Optional<Instant> notBefore() {
    return Optional.ofNullable(notBefore);
  }

  /**
   * Keeps the waiting messages back until {@code until}: a shared store said the lane is at a limit
   * on another node, or could not be asked.
   */
  void waitUntil(Instant until) {
    notBefore = until;
  }

  /** Takes back an attempt granted at {@code grantedAt} that did not start (a shared store refused it). */
  void cancel(LaneRule.Demand demand, Instant grantedAt) {
    inUse--;
    if (pace != null) {
      pace.cancel(demand.transactions(), demand.recipients(), grantedAt);
    }
  }

  /** The most attempts at once the lane may have (its limit before any throttling lowered it). */
  int max() {
    return max;
  }

  void take() {
    inUse++;
  }

  /**
   * An attempt in this lane ended at {@code now}.
   *
   * @param throttled the upstream said "too many": the lane rests (when paced) and allows one less
   * @param delivered something went through: the lane allows one more again, up to the maximum
   */
  void end(LaneRule.Demand demand, Instant now, boolean throttled, boolean delivered) {
    end(demand, now, throttled, delivered, Duration.ZERO);
  }

  /**
   * As {@link #end(LaneRule.Demand, Instant, boolean, boolean)}, and a throttled lane rests at least
   * {@code restAtLeast} (the upstream's {@code Retry-After}) instead of only the configured pause.
   */
  void end(LaneRule.Demand demand, Instant now, boolean throttled, boolean delivered, Duration restAtLeast) {
    inUse--;
    if (pace != null) {
      pace.sent(demand.transactions(), now);
    }
    if (throttled) {
      limit = Math.max(1, limit - 1);
      if (pace != null) {
        pace.throttled(now, restAtLeast);
      }
    } else if (delivered && limit < max) {
      limit++;
    }
  }

  int limit() {
    return limit;
  }

  /** Attempts under way in this lane. */
  int inUse() {
    return inUse;
  }

  /** The lane's pace; null for a lane without one (a destination domain). */
  MailboxPace pace() {
    return pace;
  }

  /** Nothing under way and nothing waiting: the lane may be forgotten (at the cost of its pace history). */
  boolean idle() {
    return inUse == 0 && waiting.isEmpty();
  }
}
