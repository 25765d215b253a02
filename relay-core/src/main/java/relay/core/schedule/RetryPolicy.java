package relay.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The one home of retry timing: a pure function of the schedule, the number of attempts made, the
 * time the message was accepted, {@code now} and a random source (for jitter). It never reads a
 * clock, so whole retry sequences can be checked with a fixed seed.
 *
 * <p>The delay after attempt {@code n} (1-based) is {@code initialDelay * multiplier^(n-1)}, capped
 * at {@code maxDelay}, then spread by up to {@code ±jitter} of itself and capped again, so that
 * attempts are never further apart than {@code maxDelay}. When {@code now + delay} lies beyond
 * {@code acceptedAt + maxLifetime} the message has expired.
 *
 * <p>Immutable and thread-safe (the random source passed in is the caller's concern).
 */
public record RetryPolicy(RetrySchedule schedule) {

  public RetryPolicy {
    Objects.requireNonNull(schedule, "schedule");
  }

  /**
   * Decides when to try again after a transient failure.
   *
   * @param attemptsMade attempts made so far, including the one that just failed (at least 1)
   * @param acceptedAt when the message was queued
   * @param now when the last attempt ended
   * @param random source of jitter
   */
  public RetryDecision next(int attemptsMade, Instant acceptedAt, Instant now, RandomGenerator random) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("at least one attempt must have been made");
    }
    Instant deadline = acceptedAt.plus(schedule.maxLifetime());
    Instant due = now.plus(delayAfter(attemptsMade, random));
    if (due.isAfter(deadline)) {
      return new RetryDecision.Expired(deadline);
    }
    return new RetryDecision.RetryAt(due);
  }

  /** The delay before the next attempt once {@code attemptsMade} attempts have failed. */
  Duration delayAfter(int attemptsMade, RandomGenerator random) {
    double maxNanos = schedule.maxDelay().toNanos();
    // Grows in floating point and is capped before any conversion, so large attempt counts cannot overflow.
    double base = Math.min(maxNanos, schedule.initialDelay().toNanos() * Math.pow(schedule.multiplier(), attemptsMade - 1));
    double spread = schedule.jitter() == 0 ? 0 : schedule.jitter() * (2 * random.nextDouble() - 1);
    double jittered = Math.min(maxNanos, base * (1 + spread));
    return Duration.ofNanos(Math.max(1, Math.round(jittered)));
  }
}
