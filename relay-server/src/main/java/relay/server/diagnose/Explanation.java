package relay.server.diagnose;

import java.util.Objects;
import relay.core.delivery.ReplyMeaning;
import relay.core.delivery.ReplyRule;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * What {@code relay explain} says about one status: the standard meaning, Microsoft 365's own
 * meaning when the classifier's table has a note for it, and what Relay does with such a reply.
 *
 * <p>Invariant: {@code verdict} is what {@link relay.core.delivery.ReplyClassifier} says about
 * {@code reply}, and {@code rule} is the row it came from (null for the RFC 5321 default). Immutable.
 *
 * @param subject what the status is about: a recipient, or "reply"
 * @param action the DSN Action, or null
 * @param remoteMta the host that replied, or null
 * @param status the enhanced status explained, or null when the reply has none
 * @param reply the reply the verdict is for (the Diagnostic-Code's, or one made from the status)
 * @param rule the classifier's matching row, or null
 * @param verdict what Relay does with the reply
 */
public record Explanation(String subject, String action, String remoteMta, EnhancedStatus status, SmtpReply reply,
    ReplyRule rule, ReplyMeaning verdict) {

  public Explanation {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reply, "reply");
    Objects.requireNonNull(verdict, "verdict");
  }

  /** Whether something explains the status: Microsoft's note or a registered detail (a bare reply code counts). */
  public boolean known() {
    return status == null || (rule != null && rule.note() != null) || StandardStatus.detailMeaning(status).isPresent();
  }

  /** Relay's action in one word: deliver, retry, defer, bounce or hold. */
  public String relayAction() {
    return switch (verdict) {
      case DELIVERED -> "deliver";
      case TRANSIENT -> "retry";
      case THROTTLED -> "defer";
      case PERMANENT -> "bounce";
      case CONFIGURATION -> "hold";
    };
  }

  /** What that action means for the mail. */
  public String relayMeaning() {
    return switch (verdict) {
      case DELIVERED -> "the recipient is done";
      case TRANSIENT -> "the recipient stays queued and is tried again later";
      case THROTTLED -> "tried again later and slower through that mailbox; never bounced, even for a 5xx";
      case PERMANENT -> "the recipient has failed: a delivery status notification goes to the sender";
      case CONFIGURATION -> "the mail stays queued, neither retried nor bounced, until an operator fixes the "
          + "connector and releases it";
    };
  }
}
