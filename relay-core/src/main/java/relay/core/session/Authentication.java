package relay.core.session;

import relay.core.metrics.SmtpStage;
import relay.core.policy.InboundConnector;
import relay.core.reply.Replies;
import relay.core.routing.rule.DecisionTrace;

/**
 * SMTP AUTH (PLAIN, LOGIN): offered only when the connector lists users and, unless it allows
 * plaintext, only under TLS; allowed once, after EHLO and outside a transaction. The SASL exchange
 * itself is {@link SaslExchange}'s; this decides what each step means for the session. A failed
 * AUTH counts as a failed command. The password and the exchange are never recorded.
 *
 * <p>Called by {@link SmtpSession}: {@link #auth} in phase COMMANDS, {@link #respond} in phase
 * AUTH. Immutable and thread-safe.
 */
final class Authentication {

  private final SessionContext context;
  private final Rejections rejections;
  private final Answers answers;

  Authentication(SessionContext context, Rejections rejections, Answers answers) {
    this.context = context;
    this.rejections = rejections;
    this.answers = answers;
  }

  /** The AUTH command. */
  Transition auth(SessionState s, Command.Auth a) {
    InboundConnector c = context.admitted();
    if (c.auth().users().isEmpty()) {
      return answers.fail(s, Replies.NOT_IMPLEMENTED);
    }
    if (!c.auth().offeredOn(s.tlsActive())) {
      return answers.failAfter(rejections.event(s, SmtpStage.AUTH, null, Replies.AUTH_NEEDS_TLS,
          "AUTH before STARTTLS; connector " + c.name() + " offers AUTH only under TLS"), s, Replies.AUTH_NEEDS_TLS);
    }
    if (s.authenticatedUser() != null) {
      return answers.fail(s, Replies.ALREADY_AUTHENTICATED);
    }
    if (s.helo() == null || !s.esmtp() || s.inTransaction()) {
      return answers.fail(s, Replies.BAD_SEQUENCE);
    }
    return step(s, SaslExchange.start(a));
  }

  /** One line of the SASL exchange under way. */
  Transition respond(SessionState s, String line) {
    return step(s, SaslExchange.respond(s.pendingAuth(), line));
  }

  private Transition step(SessionState s, SaslExchange.Step step) {
    return switch (step) {
      case SaslExchange.Step.Challenge ch ->
          Answers.reply(s.authenticating(ch.pending()), Replies.authChallenge(ch.base64()));
      // Malformed or cancelled exchanges are protocol errors, not refusals: only a wrong
      // authorization identity is recorded (it names no user, so nothing is logged about one).
      case SaslExchange.Step.Refused r -> r.reply().equals(Replies.AUTH_INVALID)
          ? answers.failAfter(rejections.event(s, SmtpStage.AUTH, null, Replies.AUTH_INVALID,
              "authentication failed: the authorization identity differs from the user"), s, r.reply())
          : answers.fail(s, r.reply());
      case SaslExchange.Step.Credentials cr -> context.admitted().auth().verify(cr.user(), cr.password())
          ? Answers.reply(s.authenticated(cr.user()), Replies.AUTH_OK)
          : failed(s, cr.user());
    };
  }

  /**
   * A wrong user or password. A user name is recorded only when the connector has such a user: an
   * unknown "name" may be a password typed into the wrong field.
   */
  private Transition failed(SessionState s, String user) {
    boolean known = context.admitted().auth().users().containsKey(user);
    String reason = known ? "authentication failed: wrong password for user " + user
        : "authentication failed: unknown user (the name tried is not recorded)";
    return answers.failAfter(rejections.event(s, SmtpStage.AUTH, s.sender(), null, known ? user : null,
        Replies.AUTH_INVALID, reason, DecisionTrace.NONE), s, Replies.AUTH_INVALID);
  }
}
