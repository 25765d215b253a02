package relay.server.inbound;

import java.time.Instant;
import java.util.Objects;
import relay.core.session.Intake;

/**
 * Whether this node takes new mail, and since when and on whose word it does not. Immutable.
 */
public sealed interface IntakeState {

  /** The node takes new mail (the normal state). */
  record Accepting() implements IntakeState {}

  /**
   * The node was drained: listeners answer {@code 421 4.3.2}, {@code /readyz} is not ready, the
   * queue keeps being delivered.
   *
   * @param since when it was drained
   * @param by who drained it (the admin token's name)
   */
  record Drained(Instant since, String by) implements IntakeState {
    public Drained {
      Objects.requireNonNull(since, "since");
      Objects.requireNonNull(by, "by");
    }
  }

  /** The session's view of this state. */
  default Intake intake() {
    return switch (this) {
      case Accepting a -> Intake.OPEN;
      case Drained d -> Intake.DRAINED;
    };
  }
}
