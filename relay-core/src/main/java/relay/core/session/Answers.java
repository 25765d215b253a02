package relay.core.session;

import java.util.ArrayList;
import java.util.List;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;
import relay.core.session.SessionState.Phase;

/**
 * How the session answers: a plain reply, a failed command (counted towards the connector's
 * {@code maxErrors}; past it the session ends with {@code 421}), a command that moves no mail
 * (counted towards {@code maxJunkCommands}), closing, and effects to carry out before those of an
 * answer. The one place where failures and junk are counted, so every part of the session counts
 * alike.
 *
 * <p>Only for a session whose client was admitted at connect. Immutable and thread-safe.
 */
final class Answers {

  private final SessionContext context;

  Answers(SessionContext context) {
    this.context = context;
  }

  /** A refused command: counts towards maxErrors; past it the session ends with 421. */
  Transition fail(SessionState s, SmtpReply reply) {
    SessionState next = s.withError();
    if (next.errors() > context.admitted().limits().maxErrors()) {
      return new Transition(
          List.of(reply, Replies.TOO_MANY_ERRORS), List.of(new Effect.Close()), next.withPhase(Phase.CLOSED));
    }
    return new Transition(List.of(reply), List.of(), next.withPhase(Phase.COMMANDS));
  }

  /** {@link #fail}, with {@code first} carried out before the failure's own effects. */
  Transition failAfter(Effect first, SessionState s, SmtpReply reply) {
    return after(List.of(first), fail(s, reply));
  }

  /**
   * A command that moves no mail: answered as usual, but past the connector's junk-command limit
   * (since the session began or last queued a message) each one also counts as a failed command,
   * so a client that only keeps the session busy is closed with {@code 421} after {@code maxErrors}
   * more (Postfix's {@code smtpd_junk_command_limit}).
   */
  Transition junk(SessionState next, SmtpReply reply) {
    SessionState counted = next.withJunk();
    boolean overLimit = counted.junk() > context.admitted().limits().maxJunkCommands();
    return overLimit ? fail(counted, reply) : reply(counted, reply);
  }

  static Transition reply(SessionState next, SmtpReply reply) {
    return new Transition(List.of(reply), List.of(), next);
  }

  static Transition close(SessionState s, SmtpReply reply) {
    return new Transition(List.of(reply), List.of(new Effect.Close()), s.withPhase(Phase.CLOSED));
  }

  /** {@link #close}, with {@code first} carried out before closing. */
  static Transition closeAfter(Effect first, SessionState s, SmtpReply reply) {
    return after(List.of(first), close(s, reply));
  }

  /** {@code t}, after the open spool transaction is abandoned. */
  static Transition abandoning(Transition t) {
    return after(List.of(new Effect.AbandonMessage()), t);
  }

  /** {@code t}, with {@code first} carried out before its own effects. */
  static Transition after(List<Effect> first, Transition t) {
    List<Effect> effects = new ArrayList<>(first);
    effects.addAll(t.effects());
    return new Transition(t.replies(), effects, t.next());
  }
}
