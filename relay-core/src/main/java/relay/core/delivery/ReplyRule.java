package relay.core.delivery;

import java.util.Locale;
import java.util.Objects;
import relay.core.reply.EnhancedStatus;
import relay.core.reply.SmtpReply;

/**
 * One row of the {@link ReplyClassifier} table: a reply matches when its code, enhanced status and
 * text match every part that is given. A row may cover a range of details of one class and subject
 * (Microsoft's {@code 5.7.606}–{@code 5.7.649}) and may carry a {@link ReplyNote} for operators.
 *
 * <p>Invariant: {@code through} is null exactly when {@code status} is, else of the same class and
 * subject with a detail not below {@code status}'s. Immutable.
 *
 * @param code the reply code, or 0 for any
 * @param status the enhanced status code (the first of the range), or null for any
 * @param through the last enhanced status code of the range (equal to {@code status} for one code)
 * @param textContains a fragment the reply text must contain (case-insensitive), or null for any
 * @param meaning what a matching reply means
 * @param note what an operator should know about a matching reply, or null
 */
public record ReplyRule(
    int code, EnhancedStatus status, EnhancedStatus through, String textContains, ReplyMeaning meaning, ReplyNote note) {

  public ReplyRule {
    Objects.requireNonNull(meaning, "meaning");
    if (code != 0 && (code < 200 || code > 599)) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    through = through == null ? status : through;
    if (status == null && through != null) {
      throw new IllegalArgumentException("a range needs its first status");
    }
    if (status != null && (through.statusClass() != status.statusClass() || through.subject() != status.subject()
        || through.detail() < status.detail())) {
      throw new IllegalArgumentException("not a range of details: " + status + ".." + through);
    }
    textContains = textContains == null ? null : textContains.toLowerCase(Locale.ROOT);
  }

  /** A rule for one status (or any) without a note. */
  public ReplyRule(int code, EnhancedStatus status, String textContains, ReplyMeaning meaning) {
    this(code, status, status, textContains, meaning, null);
  }

  /** Whether {@code candidate} is one of the statuses this rule names; false for a rule on any status. */
  public boolean covers(EnhancedStatus candidate) {
    return status != null && candidate != null && candidate.statusClass() == status.statusClass()
        && candidate.subject() == status.subject()
        && candidate.detail() >= status.detail() && candidate.detail() <= through.detail();
  }

  /** The status or range as written in documentation: {@code 5.7.60}, {@code 5.7.606-649}, or {@code any}. */
  public String statusLabel() {
    if (status == null) {
      return "any";
    }
    return status.equals(through) ? status.toString() : status + "-" + through.detail();
  }

  boolean matches(SmtpReply reply) {
    return (code == 0 || code == reply.code())
        && (status == null || covers(reply.status()))
        && (textContains == null
            || String.join(" ", reply.lines()).toLowerCase(Locale.ROOT).contains(textContains));
  }
}
