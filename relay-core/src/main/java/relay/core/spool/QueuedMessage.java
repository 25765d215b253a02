package relay.core.spool;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.envelope.Envelope;
import relay.core.envelope.MessageId;

/**
 * A message in the queue: its id, the envelope as received, the state of each recipient (same order
 * as the envelope's recipients), how many attempts were made, when the next one is due, the body
 * size in bytes, the outbound connector it leaves through and whether the onward hop must use TLS.
 *
 * <p>Invariant: one {@link RecipientState} per envelope recipient. A null {@code connector} means
 * "not decided when queued" (a record written before routing existed, or a commit without a part):
 * the runtime routes such a message by its recipients when it takes it up. Immutable.
 *
 * @param connector the outbound connector name, or null when the runtime must decide
 * @param requireTls whether the message may only leave over an encrypted connection
 */
public record QueuedMessage(
    MessageId id,
    Envelope envelope,
    List<RecipientState> recipients,
    int attempts,
    Instant nextAttemptAt,
    long bodySize,
    String connector,
    boolean requireTls) {

  public QueuedMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    recipients = List.copyOf(recipients);
    if (recipients.size() != envelope.recipients().size()) {
      throw new IllegalArgumentException("one recipient state per envelope recipient");
    }
    if (connector != null && connector.isBlank()) {
      throw new IllegalArgumentException("blank connector name");
    }
  }

  /** A message whose connector is left to the runtime, without a TLS requirement. */
  public QueuedMessage(
      MessageId id, Envelope envelope, List<RecipientState> recipients, int attempts, Instant nextAttemptAt,
      long bodySize) {
    this(id, envelope, recipients, attempts, nextAttemptAt, bodySize, null, false);
  }

  /** The connector, when it was decided at commit. */
  public Optional<String> connectorName() {
    return Optional.ofNullable(connector);
  }

  /** The same message with a new delivery state; id, envelope, connector and TLS flag are kept. */
  public QueuedMessage withState(List<RecipientState> states, int attemptCount, Instant next) {
    return new QueuedMessage(id, envelope, states, attemptCount, next, bodySize, connector, requireTls);
  }

  /** The same message bound to {@code name} (a record that had none, routed at recovery). */
  public QueuedMessage withConnector(String name) {
    return new QueuedMessage(id, envelope, recipients, attempts, nextAttemptAt, bodySize, name, requireTls);
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
