package relay.core.delivery;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * The one place that decides what an upstream reply means. Special rules (first match wins) come
 * first, so that an upstream's own codes can override the RFC 5321 defaults: 2xx/3xx delivered, 4xx
 * transient, 5xx permanent. Failures to reach or talk to an upstream at all (refused connection,
 * timeout, TLS failure) are always transient: the fault may be ours or the network's, and mail is
 * never given up on for that before its lifetime ends.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReplyClassifier {

  private final List<ReplyRule> rules;

  /** A classifier with the given special rules ahead of the defaults. */
  public ReplyClassifier(List<ReplyRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * The classifier with the special cases Relay knows about: Microsoft 365 reports a full mailbox as
   * {@code 554 5.2.0 ...QuotaExceeded...}, which clears by itself and is worth retrying.
   */
  public static ReplyClassifier standard() {
    return new ReplyClassifier(
        List.of(new ReplyRule(554, new EnhancedStatus(5, 2, 0), "QuotaExceeded", ReplyMeaning.TRANSIENT)));
  }

  /** What the reply means. */
  public ReplyMeaning classify(SmtpReply reply) {
    Objects.requireNonNull(reply, "reply");
    for (ReplyRule rule : rules) {
      if (rule.matches(reply)) {
        return rule.meaning();
      }
    }
    if (reply.isPositive()) {
      return ReplyMeaning.DELIVERED;
    }
    return reply.isTransient() ? ReplyMeaning.TRANSIENT : ReplyMeaning.PERMANENT;
  }

  /** The outcome for one recipient given the upstream's reply to it. */
  public RecipientOutcome outcome(Recipient recipient, SmtpReply reply) {
    String detail = reply.toString();
    return switch (classify(reply)) {
      case DELIVERED -> new RecipientOutcome.Delivered(recipient, detail);
      case TRANSIENT -> new RecipientOutcome.TransientFailure(recipient, detail);
      case PERMANENT -> new RecipientOutcome.PermanentFailure(recipient, detail);
    };
  }

  /**
   * The outcome for one recipient when the upstream could not be reached or the conversation broke
   * off (connect failure, timeout, TLS failure): always transient.
   */
  public RecipientOutcome unreachable(Recipient recipient, String reason) {
    return new RecipientOutcome.TransientFailure(recipient, reason);
  }
}
