package relay.core.session;

import relay.core.envelope.MailPath;
import relay.core.metrics.SmtpStage;
import relay.core.policy.InboundConnector;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.tracking.TrackingEvent;

/**
 * Builds the tracking log's {@code rejected} events of one session, so that every refusal names the
 * client, connector, session and what the transaction knew in the same way. Immutable and
 * thread-safe.
 */
final class Rejections {

  private final SessionContext context;

  Rejections(SessionContext context) {
    this.context = context;
  }

  /**
   * A refusal in state {@code s}.
   *
   * @param sender the sender concerned: the transaction's, or the refused one at MAIL; may be null
   * @param recipient the refused recipient, or null
   * @param user the user name to record (see {@link TrackingEvent.Rejected}), or null for the
   *     session's authenticated user
   */
  Effect.Track event(SessionState s, SmtpStage stage, MailPath sender, MailPath recipient, String user,
      SmtpReply reply, String reason, DecisionTrace trace) {
    return new Effect.Track(new TrackingEvent.Rejected(
        context.clock().instant(), context.sessionId(), context.clientAddress(),
        context.connector().map(InboundConnector::name).orElse(null), stage, sender, recipient,
        user != null ? user : s.authenticatedUser(), reply, reason, trace));
  }

  /** A refusal before any rule ran, about the transaction's sender (if any) and {@code recipient}. */
  Effect.Track event(SessionState s, SmtpStage stage, MailPath recipient, SmtpReply reply, String reason) {
    return event(s, stage, s.sender(), recipient, null, reply, reason, DecisionTrace.NONE);
  }
}
