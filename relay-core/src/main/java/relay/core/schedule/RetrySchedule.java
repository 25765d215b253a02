package relay.core.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * When to try a deferred message again: exponential back-off from {@code initialDelay}, multiplied by
 * {@code multiplier} per attempt up to {@code maxDelay}, each delay spread by up to {@code jitter}
 * (a fraction, 0..1) either way, and given up after {@code maxLifetime} in the queue.
 */
public record RetrySchedule(
    Duration initialDelay, double multiplier, Duration maxDelay, double jitter, Duration maxLifetime) {

  /** 1 min, doubling, at most 1 h apart, ±20 %, 2 days in all (Exchange and Postfix are similar). */
  public static final RetrySchedule DEFAULTS =
      new RetrySchedule(Duration.ofMinutes(1), 2.0, Duration.ofHours(1), 0.2, Duration.ofDays(2));

  public RetrySchedule {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("retry delays must be positive and max >= initial");
    }
    if (multiplier < 1.0 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("multiplier must be >= 1 and jitter within 0..1");
    }
    if (maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new IllegalArgumentException("max lifetime must be positive");
    }
  }
}
