package relay.server.health;

import java.util.Objects;

/**
 * What one health or readiness check found: all is well, or a failure with a reason an operator can
 * act on ({@code No space left on device}, {@code recovering the spool}).
 *
 * <p>Immutable.
 */
public sealed interface CheckResult {

  /** The checked condition holds. */
  record Ok() implements CheckResult {}

  /** The checked condition does not hold; {@code reason} is one line of plain text. */
  record Failed(String reason) implements CheckResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      // The admin endpoint prints one line per check: a reason may not add lines of its own.
      reason = reason.replaceAll("[\\r\\n]+", " ");
    }
  }

  static CheckResult ok() {
    return new Ok();
  }

  static CheckResult failed(String reason) {
    return new Failed(reason);
  }
}
