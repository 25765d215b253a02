package relay.core.limits;

import java.time.Instant;
import java.util.Objects;

/**
 * A shared store's answer to a claim on some lanes. A closed set: the attempt may go, it must wait
 * for a limit, or the store cannot decide (unreachable) and the attempt must wait for it. Waiting is
 * never a failed attempt: the message goes back to its lane's line.
 */
public sealed interface SharedGrant {

  /**
   * Every lane is counted; {@code id} names the lease to renew and release. The store frees it by
   * itself when it is not renewed within its time to live (the node died).
   */
  record Granted(String id) implements SharedGrant {
    public Granted {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * Claim {@code lane} (an index into the claims) is at a limit: nothing was counted; ask again at
   * {@code until}. {@code reason} names the limit, for logs.
   */
  record Wait(int lane, Instant until, String reason) implements SharedGrant {
    public Wait {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The store could not be asked (unreachable, timed out): nothing was counted and the limits
   * cannot be known, so nothing may go; ask again at {@code until}.
   */
  record Unavailable(Instant until, String reason) implements SharedGrant {
    public Unavailable {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
