package relay.core.spool;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;

/**
 * A message in the queue: its id, the envelope as received, the state of each recipient (same order
 * as the envelope's recipients), how many attempts were made, when the next one is due, and the body
 * size in bytes.
 *
 * <p>Invariant: one {@link RecipientState} per envelope recipient.
 */
public record QueuedMessage(
    MessageId id,
    Envelope envelope,
    List<RecipientState> recipients,
    int attempts,
    Instant nextAttemptAt,
    long bodySize) {

  public QueuedMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    recipients = List.copyOf(recipients);
    if (recipients.size() != envelope.recipients().size()) {
      throw new IllegalArgumentException("one recipient state per envelope recipient");
    }
  }

  /** True when every recipient is delivered or finally failed: the message may leave the spool. */
  public boolean isDone() {
    return recipients.stream().noneMatch(r -> r.status() == RecipientStatus.PENDING || r.status() == RecipientStatus.HELD);
  }

  /** True when some recipient is pending, so the message has a next attempt. */
  public boolean hasPending() {
    return recipients.stream().anyMatch(r -> r.status() == RecipientStatus.PENDING);
  }

  /** True when nothing is pending but some recipient is held: the message waits for a release. */
  public boolean isHeld() {
    return !hasPending() && recipients.stream().anyMatch(r -> r.status() == RecipientStatus.HELD);
  }
}
