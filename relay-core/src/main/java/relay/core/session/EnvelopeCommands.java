package relay.core.session;

import java.util.Optional;
import java.util.OptionalLong;
import relay.core.envelope.MailPath;
import relay.core.metrics.SmtpStage;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.routing.rule.DecisionTrace;
import relay.core.routing.rule.RecipientVerdict;

/**
 * MAIL and RCPT: who may send, to whom, and how much. MAIL needs a greeting, no transaction under
 * way, TLS and AUTH when the connector requires them, a declared size within the connector's limit
 * and an allowed sender domain; on a drained node it ends the session. RCPT accepts recipients in
 * accepted domains or domains the connector may relay to (or any, for a client whose AUTH grants
 * relaying; never an open relay), at most {@code maxRecipients}, then asks the mail-flow rules
 * ({@link MessageRouting}). Every refusal is tracked ({@link Rejections}).
 *
 * <p>Called by {@link SmtpSession} in phase COMMANDS, for an admitted client. Immutable and
 * thread-safe.
 */
final class EnvelopeCommands {

  private final SessionContext context;
  private final MessageRouting routing;
  private final Rejections rejections;
  private final Answers answers;

  EnvelopeCommands(SessionContext context, MessageRouting routing, Rejections rejections, Answers answers) {
    this.context = context;
    this.routing = routing;
    this.rejections = rejections;
    this.answers = answers;
  }

  Transition mail(SessionState s, Command.Mail m) {
    InboundConnector c = context.admitted();
    if (s.helo() == null || s.inTransaction() || !(s.chunking() instanceof Chunking.None)) {
      return answers.fail(s, Replies.BAD_SEQUENCE);
    }
    if (c.requireTls() && !s.tlsActive()) {
      return refuseMail(s, m, Replies.TLS_REQUIRED, "connector " + c.name() + " requires TLS (STARTTLS) before MAIL");
    }
    if (c.auth().required() && s.authenticatedUser() == null) {
      return refuseMail(s, m, Replies.AUTH_REQUIRED, "connector " + c.name() + " requires SMTP AUTH before MAIL");
    }
    if (m.parameters().declaredSize() > c.limits().maxMessageSize()) {
      return refuseMail(s, m, Replies.MESSAGE_TOO_BIG, "declared size " + m.parameters().declaredSize()
          + " octets is over connector " + c.name() + "'s limit of " + c.limits().maxMessageSize());
    }
    if (!c.allowsSenderDomain(m.sender().domain())) {
      return refuseMail(s, m, Replies.SENDER_DENIED, "connector " + c.name() + " does not allow sender domain "
          + m.sender().optionalDomain().map(d -> d.name()).orElse("(none)"));
    }
    return Answers.reply(s.withTransaction(m.sender(), m.parameters()), Replies.SENDER_OK);
  }

  /** MAIL on a drained node: refused with 421 and the session ends (RFC 5321 4.2.2: 421 closes). */
  Transition drained(SessionState s, Command.Mail m) {
    return Answers.closeAfter(mailRefusal(s, m, Replies.DRAINED, "node drained: not accepting new mail"),
        s, Replies.DRAINED);
  }

  Transition rcpt(SessionState s, Command.Rcpt r) {
    InboundConnector c = context.admitted();
    if (!s.inTransaction() || !(s.chunking() instanceof Chunking.None)) {
      return answers.fail(s, Replies.BAD_SEQUENCE);
    }
    MailPath address = r.recipient().address();
    boolean authorised = s.authenticatedUser() != null && c.auth().grantsRelay();
    if (!r.postmaster() && !authorised && !routing.snapshot().mayReceive(c, address.domain())) {
      return refuseRcpt(s, address, Replies.RELAY_DENIED,
          address.domain().name() + " is not an accepted domain and connector " + c.name() + " may not relay to it");
    }
    boolean duplicate = s.recipients().stream().anyMatch(x -> x.address().equals(address));
    if (duplicate) {
      return Answers.reply(s, Replies.RECIPIENT_OK);
    }
    if (s.recipients().size() >= c.limits().maxRecipients()) {
      return refuseRcpt(s, address, Replies.TOO_MANY_RECIPIENTS,
          "more than connector " + c.name() + "'s " + c.limits().maxRecipients() + " recipients per message");
    }
    return switch (routing.recipient(s, c.name(), r.recipient())) {
      // A discard is decided again, for good, by the plan at the end of DATA; the client sees 250.
      case RecipientVerdict.Accept a -> tooBigForRoute(s, a.route().connector())
          .map(limit -> refuseRcpt(s, address, Replies.tooBigForConnector(limit),
              "declared SIZE=" + s.parameters().declaredSize() + " is over what connector '" + a.route().connector()
                  + "' can carry (" + limit + ")"))
          .orElseGet(() -> Answers.reply(s.withRecipient(r.recipient()), Replies.RECIPIENT_OK));
      case RecipientVerdict.Discard d -> Answers.reply(s.withRecipient(r.recipient()), Replies.RECIPIENT_OK);
      case RecipientVerdict.Refuse refuse -> answers.failAfter(rejections.event(s, SmtpStage.RCPT, s.sender(), address,
          null, refuse.reply(), refuse.reason(), refuse.trace()), s, refuse.reply());
    };
  }

  /**
   * The route's connector limit when the client declared ({@code SIZE=}) a larger message: refused
   * at RCPT, before the bytes travel. Without a declaration the end of DATA decides.
   */
  private Optional<Long> tooBigForRoute(SessionState s, String connector) {
    long declared = s.parameters() == null ? -1 : s.parameters().declaredSize();
    OptionalLong limit = routing.snapshot().connectorSizeLimit(connector);
    return limit.isPresent() && declared > limit.getAsLong() ? Optional.of(limit.getAsLong()) : Optional.empty();
  }

  /** MAIL refused, a failed command. */
  private Transition refuseMail(SessionState s, Command.Mail m, SmtpReply reply, String reason) {
    return answers.failAfter(mailRefusal(s, m, reply, reason), s, reply);
  }

  /** The tracking event of a refused MAIL: recorded with the sender the client asked for. */
  private Effect.Track mailRefusal(SessionState s, Command.Mail m, SmtpReply reply, String reason) {
    return rejections.event(s, SmtpStage.MAIL, m.sender(), null, null, reply, reason, DecisionTrace.NONE);
  }

  /** RCPT refused before any rule ran, a failed command. */
  private Transition refuseRcpt(SessionState s, MailPath recipient, SmtpReply reply, String reason) {
    return answers.failAfter(rejections.event(s, SmtpStage.RCPT, recipient, reply, reason), s, reply);
  }
}
