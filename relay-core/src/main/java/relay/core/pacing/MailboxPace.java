package relay.core.pacing;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import relay.core.connector.Pacing;

/**
 * The rate limits of one mailbox: at most {@code messagesPerWindow} messages per
 * {@code messageWindow} and {@code recipientsPerWindow} recipients per rolling
 * {@code recipientWindow}, and a pause after the upstream throttled the mailbox. Pure bookkeeping:
 * the caller passes {@code now} (from its injected clock) and decides how to wait.
 *
 * <p>Call {@link #sent} once for every {@link Turn.Go}, with the same number of transactions, when
 * they have been sent.
 *
 * <p>Invariant: only sends that got {@link Turn.Go} are counted, so the counts never exceed the
 * limits within any window. Threading: all methods are synchronized; cheap.
 */
public final class MailboxPace {

  private record Sent(Instant at, int recipients) {}

  private static final java.time.Duration RECHECK = java.time.Duration.ofMillis(50);

  private final Pacing pacing;
  private final Deque<Instant> messages = new ArrayDeque<>();
  private final Deque<Sent> recipients = new ArrayDeque<>();
  private int recipientsInWindow;
  // messages granted a turn whose sending has not finished: they count against the limit until
  // sent(), and then from the time they finished, so the upstream (which counts on arrival) never
  // sees more than the limit in any window, whatever the network delay
  private int sending;
  private Instant pausedUntil = Instant.MIN;

  public MailboxPace(Pacing pacing) {
    this.pacing = Objects.requireNonNull(pacing, "pacing");
  }

  /**
   * Asks to send one message with {@code count} recipients now; counts it when the answer is
   * {@link Turn.Go}.
   */
  public Turn reserve(int count, Instant now) {
    return reserve(1, count, now);
  }

  /**
   * Asks to send {@code transactions} messages (one message split by recipient count) with {@code
   * count} recipients in all now; counts them when the answer is {@link Turn.Go}. More
   * transactions than the window allows go through when nothing else is counted, so that no message
   * waits forever.
   */
  public synchronized Turn reserve(int transactions, int count, Instant now) {
    if (count < 1 || transactions < 1) {
      throw new IllegalArgumentException("a message has at least one recipient");
    }
    forgetBefore(now);
    if (now.isBefore(pausedUntil)) {
      return new Turn.WaitUntil(pausedUntil, "mailbox paused after the upstream throttled it");
    }
    int counted = messages.size() + sending;
    if (counted > 0 && counted + transactions > pacing.messagesPerWindow()) {
      Instant at = messages.isEmpty() ? now.plus(RECHECK) : messages.peekFirst().plus(pacing.messageWindow());
      return new Turn.WaitUntil(at,
          pacing.messagesPerWindow() + " messages per " + pacing.messageWindow() + " reached");
    }
    if (recipientsInWindow > 0 && recipientsInWindow + count > pacing.recipientsPerWindow()) {
      return new Turn.WaitUntil(whenRecipientsFit(count),
          pacing.recipientsPerWindow() + " recipients per " + pacing.recipientWindow() + " reached");
    }
    sending += transactions;
    recipients.addLast(new Sent(now, count));
    recipientsInWindow += count;
    return new Turn.Go();
  }

  /** A message granted a turn has been sent (or given up on) at {@code now}. */
  public void sent(Instant now) {
    sent(1, now);
  }

  /** {@code transactions} messages granted a turn have been sent (or given up on) at {@code now}. */
  public synchronized void sent(int transactions, Instant now) {
    for (int i = 0; i < transactions && sending > 0; i++) {
      sending--;
      messages.addLast(now);
    }
  }

  /**
   * Takes back a turn granted at {@code grantedAt} that was not used (a shared store refused it):
   * nothing of it stays counted.
   */
  public synchronized void cancel(int transactions, int count, Instant grantedAt) {
    sending = Math.max(0, sending - transactions);
    if (recipients.removeLastOccurrence(new Sent(grantedAt, count))) {
      recipientsInWindow -= count;
    }
  }

  /** The upstream throttled this mailbox: nothing more is sent through it before {@code now + throttlePause}. */
  public void throttled(Instant now) {
    throttled(now, java.time.Duration.ZERO);
  }

  /**
   * The upstream throttled this mailbox and asked for {@code atLeast} of rest (Graph's
   * {@code Retry-After}): nothing more is sent through it before {@code now} plus the longer of
   * that and {@code throttlePause}. The configured pause is a floor, so a {@code Retry-After: 0}
   * cannot turn a throttle into a busy loop.
   */
  public synchronized void throttled(Instant now, java.time.Duration atLeast) {
    java.time.Duration rest = atLeast.compareTo(pacing.throttlePause()) > 0 ? atLeast : pacing.throttlePause();
    Instant until = now.plus(rest);
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
  }

  /**
   * Messages counted in the message window that ends at {@code now}: those sent in it and those
   * granted a turn and still being sent.
   */
  public synchronized int messagesInWindow(Instant now) {
    forgetBefore(now);
    return messages.size() + sending;
  }

  /** Recipients counted in the rolling window that ends at {@code now}. */
  public synchronized int recipientsInWindow(Instant now) {
    forgetBefore(now);
    return recipientsInWindow;
  }

  private void forgetBefore(Instant now) {
    while (!messages.isEmpty() && !messages.peekFirst().plus(pacing.messageWindow()).isAfter(now)) {
      messages.removeFirst();
    }
    while (!recipients.isEmpty() && !recipients.peekFirst().at().plus(pacing.recipientWindow()).isAfter(now)) {
      recipientsInWindow -= recipients.removeFirst().recipients();
    }
  }

  private Instant whenRecipientsFit(int count) {
    int left = recipientsInWindow;
    for (Sent sent : recipients) {
      left -= sent.recipients();
      if (left + count <= pacing.recipientsPerWindow()) {
        return sent.at().plus(pacing.recipientWindow());
      }
    }
    return recipients.peekLast().at().plus(pacing.recipientWindow());
  }
}
