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
 * {@link RecipientOutcome.Held} outcome. Outcomes without a reply are decided here too, by their
 * {@link LocalCause}: failures to reach or talk to an upstream at all (refused connection, timeout,
 * TLS failure) are always transient: the fault may be ours or the network's, and mail is never
 * given up on for that before its lifetime ends.
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

  // Microsoft 365's refusal of an XOAUTH2 token (see refusesToken).
  private static final ReplyRule REFUSED_TOKEN = rule(535, "5.7.3", null, ReplyMeaning.CONFIGURATION);

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

  /**
   * Whether the upstream refused the credentials it was given at AUTH in a way that a fresh token
   * may cure: Microsoft 365's {@code 535 5.7.3 Authentication unsuccessful}, also its answer to a
   * token that was revoked or expired early. The caller asks for a new token once and signs in
   * again; a second refusal is {@link ReplyMeaning#CONFIGURATION} like the first (see the table).
   */
  public boolean refusesToken(SmtpReply reply) {
    return REFUSED_TOKEN.matches(reply);
  }

  /** What an attempt's report means: the reply's meaning, or the local cause's. */
  public ReplyMeaning classify(AttemptReport report) {
    return switch (report) {
      case AttemptReport.Replied replied -> classify(replied.reply());
      case AttemptReport.Local local -> meaning(local.cause());
    };
  }

  /**
   * What a local cause means. A failure to reach or talk to an upstream is always transient (the
   * fault may be ours or the network's); only DNS's own "this domain takes no mail" answers are
   * permanent, and only a connector that cannot work as configured holds the mail.
   */
  static ReplyMeaning meaning(LocalCause cause) {
    return switch (cause) {
      case FOLDER_WRITTEN -> ReplyMeaning.DELIVERED;
      case NO_SUCH_DOMAIN, NULL_MX -> ReplyMeaning.PERMANENT;
      case MISCONFIGURED -> ReplyMeaning.CONFIGURATION;
      case PACED -> ReplyMeaning.THROTTLED;
      case CONNECTION_FAILED, CONNECTION_LOST, DNS_FAILED, TLS_UNAVAILABLE, TLS_FAILED, CREDENTIAL_UNAVAILABLE,
           LOCAL_ERROR, UNCLASSIFIED -> ReplyMeaning.TRANSIENT;
    };
  }

  /** The outcome for one recipient given what the attempt learned ({@code report}), which it keeps. */
  public RecipientOutcome outcome(Recipient recipient, AttemptReport report) {
    return switch (classify(report)) {
      case DELIVERED -> new RecipientOutcome.Delivered(recipient, report);
      case TRANSIENT, THROTTLED -> new RecipientOutcome.TransientFailure(recipient, report);
      case PERMANENT -> new RecipientOutcome.PermanentFailure(recipient, report);
      case CONFIGURATION -> new RecipientOutcome.Held(recipient, report);
    };
  }
}
