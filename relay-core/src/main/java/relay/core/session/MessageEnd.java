package relay.core.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.ClientInfo;
import relay.core.envelope.Envelope;
import relay.core.envelope.Recipient;
import relay.core.policy.BareLineEndings;
import relay.core.policy.InboundConnector;
import relay.core.metrics.SmtpStage;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.header.HeaderSection;
import relay.core.session.SessionState.Phase;
import relay.core.tracking.TrackingEvent;

/**
 * The end of a message, whichever way its content came (the end of DATA or BDAT LAST), so both
 * are judged alike: the connector's content limits first, then the mail-flow rules over the whole
 * message ({@link MessageRouting}), then the commit. Nothing is queued before this says so.
 *
 * <p>Immutable and thread-safe.
 */
final class MessageEnd {

  /** What the end of a message leads to. A closed set. */
  sealed interface Outcome {

    /**
     * Refuse with {@code reply}, a failed command; {@code effects} come first (the open spool
     * transaction is abandoned, the refusal tracked).
     */
    record Refuse(SmtpReply reply, List<Effect> effects) implements Outcome {
      public Refuse {
        Objects.requireNonNull(reply, "reply");
        effects = List.copyOf(effects);
      }
    }

    /** Go on as {@code transition} says: commit, or 250 when every recipient was discarded. */
    record Proceed(Transition transition) implements Outcome {
      public Proceed {
        Objects.requireNonNull(transition, "transition");
      }
    }
  }

  private final SessionContext context;
  private final MessageRouting routing;
  private final Rejections rejections;

  MessageEnd(SessionContext context, MessageRouting routing, Rejections rejections) {
    this.context = context;
    this.routing = routing;
    this.rejections = rejections;
  }

  /**
   * @param summary what the content decoder saw over the whole message
   * @param headers the header section captured while the content streamed
   */
  Outcome judge(SessionState s, InboundConnector c, DataSummary summary, HeaderSection headers) {
    SmtpReply refusal = null;
    String why = null;
    if (summary.tooBig()) {
      refusal = Replies.MESSAGE_TOO_BIG;
      why = "message over connector " + c.name() + "'s size limit of " + c.limits().maxMessageSize() + " octets";
    } else if (summary.lineTooLong()) {
      refusal = Replies.LINE_TOO_LONG;
      why = "a text line over connector " + c.name() + "'s limit of " + c.limits().maxTextLine() + " octets";
    } else if (summary.bareLineEnding() && c.bareLineEndings() == BareLineEndings.REJECT) {
      refusal = Replies.BARE_LINE_ENDING;
      why = "bare CR or LF line endings, which connector " + c.name() + " rejects";
    }
    if (refusal != null) {
      return new Outcome.Refuse(refusal, List.of(rejections.event(s, SmtpStage.DATA, null, refusal, why),
          new Effect.AbandonMessage()));
    }
    ClientInfo client =
        new ClientInfo(context.clientAddress(), context.clientPort(), s.helo(), s.tlsActive(), c.name());
    Instant now = context.clock().instant();
    Envelope envelope = new Envelope(s.sender(), s.parameters(), s.recipients(), client, now);
    return switch (routing.message(envelope, headers, summary.size(), Optional.ofNullable(s.authenticatedUser()))) {
      case DataVerdict.Reject r -> new Outcome.Refuse(r.reply(), List.of(
          new Effect.AbandonMessage(),
          rejections.event(s, SmtpStage.DATA, s.sender(), null, null, r.reply(), r.reason(), r.trace())));
      case DataVerdict.Accept a -> {
        List<Effect> effects = new ArrayList<>();
        effects.add(new Effect.Track(new TrackingEvent.Received(
            now, context.sessionId(), client.address(), c.name(), s.sender(),
            s.recipients().stream().map(Recipient::address).toList(), summary.size(), a.trace(),
            headers.first("Message-ID").orElse(null), headers.subject(), s.authenticatedUser(), s.tls())));
        a.discarded().forEach(d -> effects.add(new Effect.Track(d)));
        if (a.parts().isEmpty()) {
          // Every recipient was discarded: the client still gets 250, as for a discard at RCPT.
          effects.add(new Effect.AbandonMessage());
          yield new Outcome.Proceed(new Transition(List.of(Replies.queued(context.sessionId())), effects, s.reset()));
        }
        effects.add(new Effect.Commit(envelope, a.parts()));
        yield new Outcome.Proceed(new Transition(List.of(), effects, s.withPhase(Phase.COMMITTING)));
      }
    };
  }
}
