package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * When one connector's {@link DueDriver} must look again at the latest if nothing wakes it sooner:
 * the end of a pause, else the earliest of the next due message (when a slot could take it), the
 * next opening of a paced lane (likewise), the next parked message (when the window has room for a
 * refill), and {@link #LONGEST_SLEEP} from now.
 *
 * <p>It reads the state (and the spool's parking index) and changes nothing. Things that do not
 * depend on time (an attempt ending, mail arriving, an operator acting) wake the driver instead.
 *
 * <p>Threading: called by the driver thread (under the driver's own lock). It reads the pause, the
 * window, the lanes and the slots without taking their locks together, so an answer may be stale
 * by the time the driver sleeps on it; every change that could make it earlier wakes the driver.
 */
final class WakeTime {

  /** The driver looks at the spool at least this often, for parked mail and clock jumps. */
  static final Duration LONGEST_SLEEP = Duration.ofSeconds(30);

  private final ConnectorPause pause;
  private final DeliveryQueue queue;
  private final ReadyLanes lanes;
  private final ActiveWindow window;
  private final Semaphore slots;

  WakeTime(ConnectorPause pause, DeliveryQueue queue, ReadyLanes lanes, ActiveWindow window, Semaphore slots) {
    this.pause = pause;
    this.queue = queue;
    this.lanes = lanes;
    this.window = window;
    this.slots = slots;
  }

  /** When the driver looks again at the latest, if nothing wakes it sooner. */
  Instant next(Instant now) {
    Instant until = now.plus(LONGEST_SLEEP);
    Optional<Instant> endOfPause = pause.endOfPause(now);
    if (endOfPause.isPresent()) {
      return min(until, endOfPause.get()); // nothing starts before the pause ends
    }
    if (pause.isSuspended()) {
      return until;
    }
    Optional<Instant> next = queue.nextDue();
    // A due message with no free slot waits for an attempt to end (which wakes the driver), not for time.
    if (next.isPresent() && (next.get().isAfter(now) || slots.availablePermits() > 0)) {
      until = min(until, next.get());
    }
    Optional<Instant> opening = lanes.nextOpening();
    if (opening.isPresent() && slots.availablePermits() > 0) {
      until = min(until, opening.get());
    }
    if (window.wantsRefill()) {
      Optional<Instant> parked = window.nextParked();
      if (parked.isPresent()) {
        until = min(until, parked.get().isBefore(now) ? now.plus(LONGEST_SLEEP.dividedBy(30)) : parked.get());
      }
    }
    return until;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
