package relay.core.session;

import java.util.List;
import java.util.Objects;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.spool.SpoolPart;
import relay.core.tracking.TrackingEvent;

/**
 * What the routing decides for a whole message at the end of DATA. A closed set. Immutable.
 */
sealed interface DataVerdict {

  DecisionTrace trace();

  /** Refuse the message with {@code reply}; {@code reason} is for the tracking log only. */
  record Reject(SmtpReply reply, String reason, DecisionTrace trace) implements DataVerdict {
    public Reject {
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(trace, "trace");
    }
  }

  /**
   * Accept: queue {@code parts} (possibly none, when every recipient was discarded) and record
   * {@code discarded}.
   */
  record Accept(List<SpoolPart> parts, List<TrackingEvent.Discarded> discarded, DecisionTrace trace)
      implements DataVerdict {
    public Accept {
      parts = List.copyOf(parts);
      discarded = List.copyOf(discarded);
      Objects.requireNonNull(trace, "trace");
    }
  }
}
