package relay.core.delivery;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
   * The special cases Relay knows about, most of them Microsoft 365's, each with the note that
   * {@code relay explain} shows: see {@link StandardReplyRules}.
   */
  public static final List<ReplyRule> STANDARD_RULES = StandardReplyRules.RULES;

  // Microsoft 365's refusal of an XOAUTH2 token (see refusesToken).
  private static final ReplyRule REFUSED_TOKEN =
      new ReplyRule(535, EnhancedStatus.parse("5.7.3"), null, ReplyMeaning.CONFIGURATION);

  /** The special rules, in the order they are tried. */
  public List<ReplyRule> rules() {
    return rules;
  }

  /** The first special rule that matches the reply, if any: the row its meaning comes from. */
  public Optional<ReplyRule> rule(SmtpReply reply) {
    Objects.requireNonNull(reply, "reply");
    return rules.stream().filter(r -> r.matches(reply)).findFirst();
  }

  /** What the reply means: the first matching rule's meaning, else the RFC 5321 default. */
  public ReplyMeaning classify(SmtpReply reply) {
    Optional<ReplyRule> rule = rule(reply);
    if (rule.isPresent()) {
      return rule.get().meaning();
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
