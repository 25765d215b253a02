package relay.core.session;

import java.util.List;
import java.util.Objects;
import relay.core.reply.SmtpReply;

/**
 * The result of one session input: the replies to write (in order), the effects to carry out after
 * them, and the next state. Immutable.
 */
public record Transition(List<SmtpReply> replies, List<Effect> effects, SessionState next) {

  public Transition {
    replies = List.copyOf(replies);
    effects = List.copyOf(effects);
    Objects.requireNonNull(next, "next");
  }

  /** True when the effects include {@link Effect.Close}. */
  public boolean closes() {
    return effects.stream().anyMatch(e -> e instanceof Effect.Close);
  }
}
