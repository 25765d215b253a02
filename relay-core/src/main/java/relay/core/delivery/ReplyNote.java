package relay.core.delivery;

import java.util.Objects;

/**
 * What an operator should know about a reply that a {@link ReplyRule} matches: a short title, the
 * likely cause and the fix. It lives on the rule itself so that the explanation shown by
 * {@code relay explain} and the verdict the classifier acts on come from the same row and cannot
 * drift apart. Wording is our own, from the public Microsoft 365 NDR documentation (see
 * {@code docs/explain.md}). Immutable.
 *
 * @param title what the reply says, in a few words
 * @param cause the likely cause
 * @param fix what to do about it
 */
public record ReplyNote(String title, String cause, String fix) {

  public ReplyNote {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(fix, "fix");
  }
}
