package relay.core.schedule;

import java.util.Objects;

/**
 * How much of its limits one mailbox of a Microsoft 365 ({@code smtp-auth}) connector uses at one
 * moment: sessions (attempts under way) against the sessions it may have now, messages in the
 * current message window (a minute) against {@code messages-per-minute}, recipients in the rolling
 * recipient window (a day) against {@code recipients-per-day}. A snapshot for metrics; the ready
 * lane keeps the real figures.
 *
 * <p>{@code sessionLimit} is {@code max-sessions} lowered by one for each throttling reply (never
 * below one) until deliveries succeed again. A mailbox that has not sent anything since the start
 * shows zeros against its configured limits.
 *
 * <p>Immutable.
 *
 * @param mailbox the mailbox as the lane knows it: its configured address, in lower case
 */
public record MailboxUse(
    String mailbox,
    int sessions,
    int sessionLimit,
    int messages,
    int messageLimit,
    int recipients,
    int recipientLimit) {

  public MailboxUse {
    Objects.requireNonNull(mailbox, "mailbox");
  }
}
