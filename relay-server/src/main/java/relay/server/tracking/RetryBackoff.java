package relay.server.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a {@link LineFile} writer waits before trying its file again after an I/O error: {@code
 * first} after the first failure, doubling with each further failure, never more than {@code max}.
 * Short enough that logging resumes soon after an operator frees some disk space; long enough that
 * a disk that stays full costs one failed {@code open} and {@code write} every {@code max}, and no
 * more.
 *
 * <p>Immutable; a pure function of the failure count.
 */
record RetryBackoff(Duration first, Duration max) {

  /** One second, doubling up to thirty. */
  static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  RetryBackoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("back-off needs 0 < first <= max: " + first + ", " + max);
    }
  }

  /** The wait after {@code failures} failures in a row ({@code failures >= 1}). */
  Duration after(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("no failure to back off from: " + failures);
    }
    Duration wait = first;
    // Doubling stops at max, so a long outage neither overflows nor waits longer than max.
    for (int i = 1; i < failures && wait.compareTo(max) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(max) > 0 ? max : wait;
  }
}
