package relay.core.schedule;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.LocalCause;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.Envelope;
import relay.core.envelope.Recipient;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;
import relay.core.tracking.TrackingEvent;
import relay.core.tracking.TrackingLog;

/**
 * One delivery attempt of one message through one connector's transport, and its bookkeeping: the
 * pending recipients are handed to the transport, each outcome updates that recipient's state,
 * transient ones are rescheduled by {@link RetryPolicy} (or finally failed once the lifetime is
 * over), held ones (a configuration problem) wait for a release, recipients that failed in this
 * attempt get one delivery status notification (queued in the spool before their state is
 * recorded, see {@link AttemptNotices}), and the new state is written to the spool, unless the attempt
 * delivered the last pending recipients: then the message is simply removed (a crash in between
 * means a duplicate, never a loss). The message leaves the spool only when no recipient is pending.
 * Each recipient's outcome is recorded once in the {@link TrackingLog} (the observation port, which
 * also feeds the metrics and relay.log): delivered, deferred, failed, held, or expired (a transient
 * failure after the lifetime ran out).
 *
 * <p>Threading: {@link #run} is called concurrently on virtual threads, one call per message at a
 * time; the shared random source is guarded.
 */
final class DeliveryAttempt {

  private static final Logger log = LoggerFactory.getLogger(DeliveryAttempt.class);

  private final Spool spool;
  private final Transport transport;
  private final String connector;
  private final RetryPolicy policy;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final AttemptNotices notices;
  private final TrackingLog tracking;
  private final Consumer<String> unreachable;

  DeliveryAttempt(
      Spool spool,
      Transport transport,
      String connector,
      RetryPolicy policy,
      InstantSource clock,
      RandomGenerator random,
      AttemptNotices notices,
      TrackingLog tracking,
      Consumer<String> unreachable) {
    this.spool = spool;
    this.transport = transport;
    this.connector = connector;
    this.policy = policy;
    this.clock = clock;
    this.random = random;
    this.notices = notices;
    this.tracking = tracking;
    this.unreachable = unreachable;
  }

  /**
   * Attempts the message once.
   *
   * @param sent told the outcomes as soon as the transport returns, before any bookkeeping: where
   *     the lease on the message's lanes is given back
   * @return the message with its new state when recipients remain pending, empty when it left the spool
   */
  Optional<QueuedMessage> run(QueuedMessage message, Consumer<Collection<RecipientOutcome>> sent)
      throws InterruptedException {
    Envelope envelope = message.envelope();
    List<Recipient> pending = message.recipients().stream()
        .filter(r -> r.status() == RecipientStatus.PENDING)
        .map(RecipientState::recipient)
        .toList();
    if (pending.isEmpty()) {
      removeFromSpool(message);
      return Optional.empty();
    }
    Map<Recipient, RecipientOutcome> outcomes = deliver(message, envelope, pending);
    sent.accept(outcomes.values());
    if (outcomes.values().stream().allMatch(DeliveryAttempt::couldNotConnect)) {
      unreachable.accept(outcomes.values().iterator().next().detail());
    }
    Instant now = clock.instant();
    int attempts = message.attempts() + 1;

    List<RecipientState> states = new ArrayList<>();
    boolean anyPending = false;
    for (RecipientState state : message.recipients()) {
      RecipientOutcome outcome = outcomes.get(state.recipient());
      if (state.status() != RecipientStatus.PENDING || outcome == null) {
        states.add(state);
        continue;
      }
      RecipientStatus status = switch (outcome) {
        case RecipientOutcome.Delivered d -> RecipientStatus.DELIVERED;
        case RecipientOutcome.TransientFailure t -> RecipientStatus.PENDING;
        case RecipientOutcome.PermanentFailure p -> RecipientStatus.FAILED;
        case RecipientOutcome.Held h -> RecipientStatus.HELD;
      };
      anyPending |= status == RecipientStatus.PENDING;
      states.add(new RecipientState(state.recipient(), status, state.attempts() + 1, outcome.report()));
    }

    Instant nextAttemptAt = now;
    boolean expired = false;
    if (anyPending) {
      RetryDecision decision;
      synchronized (random) {
        decision = policy.next(attempts, envelope.receivedAt(), now, random);
      }
      switch (decision) {
        case RetryDecision.RetryAt retry -> nextAttemptAt = retry.at();
        case RetryDecision.Expired e -> {
          expired = true;
          states = states.stream().map(DeliveryAttempt::expire).toList();
        }
      }
    }
    QueuedMessage next = message.withState(states, attempts, nextAttemptAt);
    // Notices are queued before the new state is recorded: a crash in between duplicates a notice,
    // it never loses one.
    next = notices.failures(message, next, outcomes, expired, now);
    notices.delay(next, now);
    boolean failedNow = expired || outcomes.values().stream().anyMatch(o -> o instanceof RecipientOutcome.PermanentFailure);
    if (!next.isDone() || failedNow) {
      record(next);
    }
    // A message whose last recipients were just delivered is removed without recording that first:
    // a crash before the removal reaches the disk only means a duplicate, and recording it would
    // cost a file fsync and a directory fsync per message.
    report(next, outcomes, now, expired);
    if (next.isDone()) {
      removeFromSpool(next);
      return Optional.empty();
    }
    return Optional.of(next);
  }

  private void record(QueuedMessage next) {
    try {
      spool.update(next);
    } catch (IOException e) {
      // The attempt already happened; keeping the new state in memory means at worst a recipient is
      // delivered twice after a crash, never that one is lost.
      log.error("message {}: could not record delivery state in the spool", next.id(), e);
    }
  }

  private Map<Recipient, RecipientOutcome> deliver(QueuedMessage message, Envelope envelope, List<Recipient> pending)
      throws InterruptedException {
    Map<Recipient, RecipientOutcome> outcomes = new HashMap<>();
    try {
      DeliveryRequest request = new DeliveryRequest(
          message.id(), envelope.sender(), envelope.parameters(), pending, spool.body(message),
          envelope.client(), envelope.receivedAt(), message.requireTls());
      for (RecipientOutcome outcome : transport.deliver(request)) {
        outcomes.put(outcome.recipient(), outcome);
      }
    } catch (RuntimeException e) {
      log.error("message {}: transport '{}' failed unexpectedly", message.id(), connector, e);
    }
    for (Recipient recipient : pending) {
      // The transport contract promises one outcome each; a missing one is retried, never dropped.
      outcomes.computeIfAbsent(recipient, r -> new RecipientOutcome.TransientFailure(
          r, new AttemptReport.Local(LocalCause.LOCAL_ERROR, "no outcome from transport")));
    }
    return outcomes;
  }

  private static boolean couldNotConnect(RecipientOutcome outcome) {
    return outcome instanceof RecipientOutcome.TransientFailure t
        && t.report() instanceof AttemptReport.Local local
        && local.cause() == LocalCause.CONNECTION_FAILED;
  }

  private static RecipientState expire(RecipientState state) {
    if (state.status() != RecipientStatus.PENDING) {
      return state;
    }
    // The last report stays as read: failed after a transient outcome is what says "expired".
    return new RecipientState(state.recipient(), RecipientStatus.FAILED, state.attempts(), state.lastReply());
  }

  /** Each outcome goes to the observation port once: tracking.log, the metrics and relay.log watch it. */
  private void report(QueuedMessage next, Map<Recipient, RecipientOutcome> outcomes, Instant now, boolean expired) {
    for (RecipientOutcome outcome : outcomes.values()) {
      TrackingEvent.Result result = switch (outcome) {
        case RecipientOutcome.Delivered d -> TrackingEvent.Result.DELIVERED;
        case RecipientOutcome.TransientFailure t -> expired ? TrackingEvent.Result.EXPIRED : TrackingEvent.Result.DEFERRED;
        case RecipientOutcome.PermanentFailure p -> TrackingEvent.Result.FAILED;
        case RecipientOutcome.Held h -> TrackingEvent.Result.HELD;
      };
      tracking.record(new TrackingEvent.Delivery(now, next.id(), connector, next.envelope().sender(),
          outcome.recipient().address(), result, outcome.report(), next.envelope().receivedAt()));
    }
    if (!expired && !next.isDone()) {
      log.debug("message {}: next attempt at {}", next.id(), next.nextAttemptAt());
    }
  }

  private void removeFromSpool(QueuedMessage message) {
    notices.forget(message);
    try {
      spool.remove(message);
    } catch (IOException e) {
      log.error("message {}: done, but could not be removed from the spool", message.id(), e);
    }
  }
}
