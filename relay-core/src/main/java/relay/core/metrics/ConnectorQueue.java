package relay.core.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.schedule.MailboxUse;

/**
 * One outbound connector's queue at one moment, as {@link QueueCensus} found it: messages by
 * {@link QueueState}, when the earliest-accepted of them arrived, and (Microsoft 365 connectors) how
 * much of its limits each mailbox uses.
 *
 * <p>The deferred and held counts come from the spool's index of parked messages, which is a hint
 * (a message removed while parked is counted until its marker is next looked at), so they may be a
 * little high; {@code oldest} is accurate to about half a minute.
 *
 * <p>Immutable.
 *
 * @param connector a configured connector name (or one that queued messages still name)
 * @param oldest when the earliest-accepted message arrived; empty when none is queued (or none has a
 *     queue id that tells)
 * @param mailboxes every configured mailbox's use of its limits; empty for other kinds of connector
 */
public record ConnectorQueue(
    String connector, long active, long deferred, long held, Optional<Instant> oldest, List<MailboxUse> mailboxes) {

  public ConnectorQueue {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(oldest, "oldest");
    mailboxes = List.copyOf(mailboxes);
  }

  /** Messages in {@code state}. */
  public long count(QueueState state) {
    return switch (state) {
      case ACTIVE -> active;
      case DEFERRED -> deferred;
      case HELD -> held;
    };
  }

  /** How long the earliest-accepted message has been queued at {@code now}; zero when none is. */
  public Duration oldestAge(Instant now) {
    return oldest.map(t -> Duration.between(t, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
  }
}
