package relay.server.health;

import java.util.Objects;

/**
 * What one health or readiness check found: all is well, a failure with a reason an operator can
 * act on ({@code No space left on device}, {@code recovering the spool}), or working in a reduced
 * way that does not fail the check.
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

  /**
   * The relay works, in a reduced way an operator should know about ({@code cluster store
   * unreachable: deliveries on shared limits wait}); it still takes mail, so readiness holds.
   */
  record Degraded(String reason) implements CheckResult {
    public Degraded {
      Objects.requireNonNull(reason, "reason");
      reason = reason.replaceAll("[\\r\\n]+", " ");
    }
  }

  static CheckResult ok() {
    return new Ok();
  }

  static CheckResult failed(String reason) {
    return new Failed(reason);
  }

  static CheckResult degraded(String reason) {
    return new Degraded(reason);
  }
}
