package relay.core.delivery;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.Recipient;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * The one place that decides what an upstream reply means. Special rules (first match wins) come
 * first, so that an upstream's own codes can override the RFC 5321 defaults: 2xx/3xx delivered, 4xx
 * transient, 5xx permanent. A reply meaning a configuration problem becomes a
 * {@link RecipientOutcome.Held} outcome. Failures to reach or talk to an upstream at all (refused connection,
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

  /** The classifier with the special cases Relay knows about: {@link #STANDARD_RULES}. */
  public static ReplyClassifier standard() {
    return new ReplyClassifier(STANDARD_RULES);
  }

  /**
   * The special cases Relay knows about, most of them Microsoft 365's (see M365.md, "Status codes a
   * relay must classify"). Throttling, even as a 5xx, means "later and slower"; replies that only a
   * configuration change can cure mean "hold". Microsoft's 5.7.x codes above 5.7.27 are its own,
   * so they match on the status whatever the reply code.
   */
  public static final List<ReplyRule> STANDARD_RULES = List.of(
      rule(432, "4.3.2", null, ReplyMeaning.THROTTLED),
      rule(554, "5.2.0", "QuotaExceeded", ReplyMeaning.THROTTLED),
      rule(0, "5.2.251", null, ReplyMeaning.THROTTLED),
      rule(0, "5.2.252", null, ReplyMeaning.THROTTLED),
      rule(0, "5.2.253", null, ReplyMeaning.THROTTLED),
      rule(0, "5.2.254", null, ReplyMeaning.THROTTLED),
      rule(0, "5.2.255", null, ReplyMeaning.THROTTLED),
      rule(421, "4.7.66", null, ReplyMeaning.CONFIGURATION),
      rule(535, "5.7.3", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.139", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.30", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.57", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.60", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.64", null, ReplyMeaning.CONFIGURATION),
      rule(0, "5.7.68", null, ReplyMeaning.CONFIGURATION),
      rule(554, "5.2.2", null, ReplyMeaning.CONFIGURATION),
      rule(0, "4.4.7", null, ReplyMeaning.PERMANENT));

  private static ReplyRule rule(int code, String status, String text, ReplyMeaning meaning) {
    return new ReplyRule(code, EnhancedStatus.parse(status), text, meaning);
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
    return outcome(recipient, reply, reply.toString());
  }

  /**
   * The outcome for one recipient given the upstream's reply to it, with {@code detail} (the reply
   * and whatever context the caller adds, e.g. the mailbox) as the outcome's detail.
   */
  public RecipientOutcome outcome(Recipient recipient, SmtpReply reply, String detail) {
    return switch (classify(reply)) {
      case DELIVERED -> new RecipientOutcome.Delivered(recipient, detail);
      case TRANSIENT, THROTTLED -> new RecipientOutcome.TransientFailure(recipient, detail);
      case PERMANENT -> new RecipientOutcome.PermanentFailure(recipient, detail);
      case CONFIGURATION -> new RecipientOutcome.Held(recipient, detail);
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
