package relay.server.admin;

import java.time.Instant;
import java.util.List;

/**
 * One queued message as an operator lists it. Immutable; written as JSON by the admin API.
 *
 * @param id the queue id
 * @param connector the outbound connector it waits for
 * @param state where it stands
 * @param sender the envelope sender ({@code <>} for a notification)
 * @param recipients each recipient with its state
 * @param size the queued content's size in octets
 * @param received when Relay accepted it
 * @param attempts delivery attempts so far
 * @param nextAttempt when it is due next (for held mail: when it was held)
 * @param requireTls whether it may only leave over TLS
 */
public record QueueEntry(
    String id,
    String connector,
    State state,
    String sender,
    List<RecipientEntry> recipients,
    long size,
    Instant received,
    int attempts,
    Instant nextAttempt,
    boolean requireTls) {

  public QueueEntry {
    recipients = List.copyOf(recipients);
  }

  /** Where a message stands. */
  public enum State {
    /** In its connector's delivery window: being tried, or due within moments. */
    ACTIVE,
    /** Waiting on disk for its next attempt. */
    DEFERRED,
    /** Kept back for a configuration problem (a refused mailbox, a missing connector) until released. */
    HELD,
    /** Kept back by an operator until released. */
    SUSPENDED
  }

  /**
   * @param address the recipient
   * @param status pending, delivered, failed or held
   * @param attempts attempts for this recipient
   * @param lastReply the last reply or reason, or null before any attempt
   */
  public record RecipientEntry(String address, String status, int attempts, String lastReply) {}
}
