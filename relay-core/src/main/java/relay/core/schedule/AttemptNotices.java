package relay.core.schedule;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.RecipientOutcome;
import relay.core.dsn.DsnOutbox;
import relay.core.dsn.RecipientReport;
import relay.core.envelope.Recipient;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;

/**
 * The notifications one delivery attempt gives rise to: one failure notice listing every recipient
 * that failed permanently or expired in this attempt, and the one delay notice of a message that
 * has waited long enough. Both are queued through the {@link DsnOutbox} before the attempt's new
 * state is recorded, so that a crash cannot lose a notice.
 *
 * <p>When the failure notice cannot be queued, the recipients it concerns are put back to pending
 * (their reply kept) and tried again later: recording them as failed without a notice would lose
 * the only word the sender gets.
 *
 * <p>Threading: stateless apart from the outbox, which is thread-safe.
 */
final class AttemptNotices {

  private static final Logger log = LoggerFactory.getLogger(AttemptNotices.class);

  private final Optional<DsnOutbox> outbox;
  private final Duration lifetime;
  private final Duration retryAfterTrouble;

  AttemptNotices(Optional<DsnOutbox> outbox, RetrySchedule schedule) {
    this.outbox = outbox;
    this.lifetime = schedule.maxLifetime();
    this.retryAfterTrouble = schedule.initialDelay();
  }

  /**
   * Queues the failure notice for the recipients that {@code before} had pending and {@code after}
   * has failed.
   *
   * @return {@code after}, or, when the notice could not be queued, {@code after} with those
   *     recipients pending again and due a little later
   */
  QueuedMessage failures(
      QueuedMessage before, QueuedMessage after, Map<Recipient, RecipientOutcome> outcomes, boolean expired, Instant now) {
    List<RecipientReport> reports = new ArrayList<>();
    for (int i = 0; i < after.recipients().size(); i++) {
      RecipientState is = after.recipients().get(i);
      if (!failedNow(before.recipients().get(i), is)) {
        continue;
      }
      RecipientOutcome outcome = outcomes.get(is.recipient());
      reports.add(expired && !(outcome instanceof RecipientOutcome.PermanentFailure)
          ? RecipientReport.expired(is.recipient(), outcome == null ? null : outcome.report(), now)
          : RecipientReport.failed(is.recipient(), outcome == null ? is.lastReply() : outcome.report(), now));
    }
    if (reports.isEmpty() || outbox.isEmpty()) {
      return after;
    }
    try {
      outbox.get().queue(after, reports);
      return after;
    } catch (IOException | RuntimeException e) {
      log.error("message {}: could not queue the delivery status notification; its failed recipients stay "
          + "pending and are tried again", after.id(), e);
      List<RecipientState> states = new ArrayList<>();
      for (int i = 0; i < after.recipients().size(); i++) {
        RecipientState is = after.recipients().get(i);
        states.add(failedNow(before.recipients().get(i), is)
            ? new RecipientState(is.recipient(), RecipientStatus.PENDING, is.attempts(), is.lastReply())
            : is);
      }
      return after.withState(states, after.attempts(), now.plus(retryAfterTrouble));
    }
  }

  private static boolean failedNow(RecipientState was, RecipientState is) {
    return was.status() == RecipientStatus.PENDING && is.status() == RecipientStatus.FAILED;
  }

  /** Queues the message's one delay notice when it is due; a failure to queue it is retried next time. */
  void delay(QueuedMessage message, Instant now) {
    if (outbox.isEmpty() || !message.hasPending() || !outbox.get().delayNoticeDue(message, now)) {
      return;
    }
    Instant until = message.envelope().receivedAt().plus(lifetime);
    List<RecipientReport> reports = message.recipients().stream()
        .filter(r -> r.status() == RecipientStatus.PENDING)
        .map(r -> RecipientReport.delayed(r.recipient(), r.lastReply(), now, until))
        .toList();
    try {
      outbox.get().queue(message, reports);
    } catch (IOException | RuntimeException e) {
      log.error("message {}: could not queue the delay notice; trying again after the next attempt", message.id(), e);
    }
  }

  /** The message left the spool. */
  void forget(QueuedMessage message) {
    outbox.ifPresent(o -> o.forget(message.id()));
  }
}
