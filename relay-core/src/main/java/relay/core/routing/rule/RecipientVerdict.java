package relay.core.routing.rule;

import java.util.Objects;
import relay.core.reply.SmtpReply;
import relay.core.routing.Route;

/**
 * The answer for one recipient at RCPT time. A closed set; the session replies 250 to
 * {@link Accept} and {@link Discard} alike (a discard is silent) and {@link Refuse}'s reply otherwise.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RecipientVerdict {

  /** The envelope-phase rules' decisions for this recipient, for the tracking log. */
  DecisionTrace trace();

  /** Accept; the recipient (or its redirect target) will leave through {@code route}. */
  record Accept(Route route, DecisionTrace trace) implements RecipientVerdict {
    public Accept {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(trace, "trace");
    }
  }

  /** Accept with 250, but a rule discards the recipient: nothing will be delivered to it. */
  record Discard(String rule, DecisionTrace trace) implements RecipientVerdict {
    public Discard {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(trace, "trace");
    }
  }

  /** Refuse the recipient in-session with {@code reply}; {@code reason} is for logs only. */
  record Refuse(SmtpReply reply, String reason, DecisionTrace trace) implements RecipientVerdict {
    public Refuse {
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(trace, "trace");
    }
  }
}
