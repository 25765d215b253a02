package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one connector may start attempts: the pause after an unreachable upstream and the
 * operator's suspension. It only answers and records; the {@link DeliveryScheduler} asks before it
 * starts anything and wakes its driver when either ends.
 *
 * <p>The pause: on a connector with a single upstream ({@code pauseWhenUnreachable}), an attempt that
 * reached none of its hosts stops attempts for the connector's initial retry delay, at most {@link
 * #LONGEST_PAUSE}. A later unreachable attempt moves the end of the pause; an operator's retry {@link
 * #end()}s it. Suspension lasts from {@link #suspend()} to {@link #resume()}.
 *
 * <p>Invariant: not paused is {@code pausedUntil == Instant.MIN} or a time in the past.
 *
 * <p>Threading: both states are single volatile fields and every method may be called from any
 * thread without a lock: attempt threads start a pause, operator threads end it, the driver and
 * dispatching threads read it. Writes race by design, the last one wins.
 */
final class ConnectorPause {

  /** The longest pause after an unreachable upstream. */
  static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);

  // The scheduler's logger: these lines keep the category operators know them by.
  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final boolean pauseWhenUnreachable;
  private final Duration pause;
  private volatile Instant pausedUntil = Instant.MIN;
  private volatile boolean suspended;

  /**
   * @param connector the connector name, for logs
   * @param pauseWhenUnreachable whether an unreachable upstream pauses the connector at all
   * @param initialDelay the connector's initial retry delay: the length of a pause, up to five minutes
   */
  ConnectorPause(String connector, boolean pauseWhenUnreachable, Duration initialDelay) {
    this.connector = connector;
    this.pauseWhenUnreachable = pauseWhenUnreachable;
    this.pause = initialDelay.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : initialDelay;
  }

  /**
   * Called when an attempt could not reach the upstream at all (every host refused or timed out):
   * on a connector with a single upstream, attempts stop until the connector's initial retry delay
   * (at most five minutes) has passed. Mail keeps queueing meanwhile and the messages due meanwhile
   * wait without an attempt each: a day-long outage costs one failed connection per pause, not one
   * per queued message. The first attempts after the pause are the probe.
   */
  void upstreamUnreachable(String reason, Instant now) {
    if (!pauseWhenUnreachable) {
      return;
    }
    boolean wasRunning = !now.isBefore(pausedUntil);
    pausedUntil = now.plus(pause);
    if (wasRunning) {
      log.warn("connector '{}': upstream unreachable ({}); no delivery attempts until {}, mail keeps queueing",
          connector, reason, pausedUntil);
    }
  }

  /** Ends a pause after an unreachable upstream (an operator says the upstream is worth a try). */
  void end() {
    pausedUntil = Instant.MIN;
  }

  /** True while a pause after an unreachable upstream lasts at {@code now}. */
  boolean isPaused(Instant now) {
    return now.isBefore(pausedUntil);
  }

  /** When the pause that lasts at {@code now} ends; empty when the connector is not paused then. */
  Optional<Instant> endOfPause(Instant now) {
    Instant until = pausedUntil;
    return now.isBefore(until) ? Optional.of(until) : Optional.empty();
  }

  /** Stops attempts until {@link #resume()}. */
  void suspend() {
    suspended = true;
    log.warn("connector '{}': suspended; no delivery attempts until resumed", connector);
  }

  /** Lets a suspended connector start attempts again. */
  void resume() {
    suspended = false;
    log.info("connector '{}': resumed", connector);
  }

  boolean isSuspended() {
    return suspended;
  }
}
