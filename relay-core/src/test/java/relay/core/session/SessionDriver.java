package relay.core.session;

import java.util.ArrayList;
import java.util.List;
import relay.core.reply.SmtpReply;

/** Test aid: remembers the state between inputs of one {@link SmtpSession} and collects output. */
final class SessionDriver {

  final SmtpSession session;
  SessionState state;
  final List<Effect> effects = new ArrayList<>();

  SessionDriver(SmtpSession session) {
    this.session = session;
    Transition t = session.connect();
    state = t.next();
    effects.addAll(t.effects());
  }

  /**
   * Feeds the lines in order (as a pipelining client would; in phase AUTH as SASL responses) and
   * returns every reply in order.
   */
  List<SmtpReply> send(String... lines) {
    List<SmtpReply> replies = new ArrayList<>();
    for (String line : lines) {
      Transition t = state.phase() == SessionState.Phase.AUTH
          ? session.authResponse(state, line)
          : session.command(state, line);
      replies.addAll(apply(t));
    }
    return replies;
  }

  SmtpReply one(String line) {
    List<SmtpReply> r = send(line);
    if (r.size() != 1) {
      throw new AssertionError("expected one reply to " + line + " but got " + r);
    }
    return r.getFirst();
  }

  List<SmtpReply> apply(Transition t) {
    state = t.next();
    effects.addAll(t.effects());
    return t.replies();
  }

  Effect lastEffect() {
    return effects.getLast();
  }
}
