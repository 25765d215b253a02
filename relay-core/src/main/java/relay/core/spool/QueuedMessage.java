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

  /** True when no recipient is pending any more: the message may leave the spool. */
  public boolean isDone() {
    return recipients.stream().noneMatch(r -> r.status() == RecipientStatus.PENDING);
  }
}
