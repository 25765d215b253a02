package relay.core.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link RetryPolicy} says about a message whose last attempt left recipients pending: try again
 * at a given time, or give up because that time would fall beyond the schedule's lifetime. A closed
 * set; callers switch over it exhaustively. Immutable.
 */
public sealed interface RetryDecision {

  /** Try again at {@code at}. */
  record RetryAt(Instant at) implements RetryDecision {
    public RetryAt {
      Objects.requireNonNull(at, "at");
    }
  }

  /** The next attempt would come too late: pending recipients have finally failed. */
  record Expired(Instant deadline) implements RetryDecision {
    public Expired {
      Objects.requireNonNull(deadline, "deadline");
    }
  }
}
