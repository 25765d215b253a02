package relay.core.pacing;

import java.time.Instant;
import java.util.Objects;

/** The answer of {@link MailboxPace#reserve}: send now, or not before a given time. A closed set. */
public sealed interface Turn {

  /** Send now; the message and its recipients are counted. */
  record Go() implements Turn {}

  /** Over a limit: nothing was counted; try again at {@code at}. {@code reason} names the limit. */
  record WaitUntil(Instant at, String reason) implements Turn {
    public WaitUntil {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
