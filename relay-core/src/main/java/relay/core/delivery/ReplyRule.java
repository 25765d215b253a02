package relay.core.delivery;

import java.util.Locale;
import java.util.Objects;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * One row of the {@link ReplyClassifier} table: a reply matches when its code, enhanced status and
 * text match every part that is given. Immutable.
 *
 * @param code the reply code, or 0 for any
 * @param status the enhanced status code, or null for any
 * @param textContains a fragment the reply text must contain (case-insensitive), or null for any
 * @param meaning what a matching reply means
 */
public record ReplyRule(int code, EnhancedStatus status, String textContains, ReplyMeaning meaning) {

  public ReplyRule {
    Objects.requireNonNull(meaning, "meaning");
    if (code != 0 && (code < 200 || code > 599)) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    textContains = textContains == null ? null : textContains.toLowerCase(Locale.ROOT);
  }

  boolean matches(SmtpReply reply) {
    return (code == 0 || code == reply.code())
        && (status == null || status.equals(reply.status()))
        && (textContains == null
            || String.join(" ", reply.lines()).toLowerCase(Locale.ROOT).contains(textContains));
  }
}
