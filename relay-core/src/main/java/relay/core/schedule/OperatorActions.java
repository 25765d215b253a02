package relay.core.schedule;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.dsn.DsnOutbox;
import relay.core.dsn.RecipientReport;
import relay.core.envelope.MessageId;
import relay.core.spool.QueuedMessage;
import relay.core.spool.RecipientState;
import relay.core.spool.RecipientStatus;
import relay.core.spool.Spool;

/**
 * What an operator does to one connector's queued mail: list held messages, release one, suspend
 * one, make one or all due now, remove one (with or without a failure notice). The public contract of each
 * action is on the {@link DeliveryScheduler} method that delegates here.
 *
 * <p>Each action records the new state in the spool first, then puts the message where it now
 * waits (window or parking index) through the {@link ActiveWindow}. Only a waiting message is taken
 * out of memory, and one that an action then leaves as it was is put back; {@link #retryNow} and
 * {@link #remove} leave a message in flight alone. A message another connector owns is not this
 * connector's to change.
 *
 * <p>Threading: called from operator threads (the admin API), concurrently with the scheduler.
 * {@link #retryNow} and {@link #remove} hold the window's refill lock while they read the message
 * and put it back, so that a refill cannot take it from the index meanwhile and start it twice;
 * {@link #release} and {@link #suspend} take no lock of their own.
 */
final class OperatorActions {

  /** Most held messages listed at once. */
  private static final int HELD_LISTED = 10_000;

  // The scheduler's logger: these lines keep the category operators know them by.
  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final Spool spool;
  private final InstantSource clock;
  private final DeliveryQueue queue;
  private final ActiveWindow window;
  private final ConnectorPause pause;
  private final Optional<DsnOutbox> outbox;
  private final Consumer<QueuedMessage> requeue;
  private final Runnable wake;

  /**
   * @param requeue takes a released message up as one found on disk ({@link DeliveryScheduler#recovered})
   * @param wake wakes the scheduler's driver
   */
  OperatorActions(
      String connector, Spool spool, InstantSource clock, DeliveryQueue queue, ActiveWindow window,
      ConnectorPause pause, Optional<DsnOutbox> outbox, Consumer<QueuedMessage> requeue, Runnable wake) {
    this.connector = connector;
    this.spool = spool;
    this.clock = clock;
    this.queue = queue;
    this.window = window;
    this.pause = pause;
    this.outbox = outbox;
    this.requeue = requeue;
    this.wake = wake;
  }

  /** {@link DeliveryScheduler#held}: held or suspended messages, at most {@link #HELD_LISTED}. */
  List<QueuedMessage> held() {
    try {
      return spool.held(connector, HELD_LISTED);
    } catch (IOException e) {
      log.error("connector '{}': could not list held messages", connector, e);
      return List.of();
    }
  }

  /** {@link DeliveryScheduler#release}: held recipients become pending and the message is due at once. */
  boolean release(MessageId id) {
    Optional<QueuedMessage> found;
    try {
      found = spool.read(id);
    } catch (IOException e) {
      log.error("message {}: could not read it from the spool to release it", id, e);
      return false;
    }
    if (found.isEmpty() || !owns(found.get()) || !found.get().isHeld()) {
      return false;
    }
    QueuedMessage message = found.get();
    List<RecipientState> states = message.recipients().stream()
        .map(r -> r.status() == RecipientStatus.HELD
            ? new RecipientState(r.recipient(), RecipientStatus.PENDING, r.attempts(), r.lastReply())
            : r)
        .toList();
    QueuedMessage released = message.withState(states, message.attempts(), clock.instant());
    try {
      spool.update(released);
    } catch (IOException e) {
      log.error("message {}: could not record its release in the spool; it stays held", id, e);
      return false;
    }
    log.info("message {}: released for delivery via '{}'", id, connector);
    requeue.accept(released);
    return true;
  }

  /** {@link DeliveryScheduler#suspend(MessageId)}: pending recipients are held until released. */
  boolean suspend(MessageId id) {
    Optional<QueuedMessage> inMemory = window.takeWaiting(id);
    window.refilling().lock(); // as for retryNow: a refill must not start the message meanwhile
    try {
      if (inMemory.isEmpty() && queue.contains(id)) {
        return false; // in flight: its attempt would write its own outcome over the suspension
      }
      Optional<QueuedMessage> found = inMemory.isPresent() ? inMemory : spool.read(id);
      if (!ownsPending(found)) {
        putBack(inMemory);
        return false;
      }
      QueuedMessage message = found.get();
      List<RecipientState> states = message.recipients().stream()
          .map(r -> r.status() == RecipientStatus.PENDING
              ? new RecipientState(r.recipient(), RecipientStatus.HELD, r.attempts(),
                  new AttemptReport.Local(LocalCause.MISCONFIGURED, DeliveryScheduler.SUSPENDED))
              : r)
          .toList();
      QueuedMessage suspendedMessage = message.withState(states, message.attempts(), message.nextAttemptAt());
      spool.update(suspendedMessage);
      window.park(suspendedMessage);
      log.info("message {}: suspended by operator", id);
      return true;
    } catch (IOException e) {
      log.error("message {}: could not record its suspension in the spool", id, e);
      putBack(inMemory);
      return false;
    } finally {
      window.refilling().unlock();
    }
  }

  /** {@link DeliveryScheduler#retryNow}: the message is due now and a pause ends. */
  boolean retryNow(MessageId id) {
    Optional<QueuedMessage> inMemory = window.takeWaiting(id);
    window.refilling().lock(); // a refill taking the same message from the index meanwhile would start it twice
    try {
      if (inMemory.isEmpty() && queue.contains(id)) {
        return false; // in flight
      }
      Optional<QueuedMessage> found = inMemory.isPresent() ? inMemory : spool.read(id);
      if (!ownsPending(found)) {
        putBack(inMemory);
        return false;
      }
      QueuedMessage due = ActiveWindow.dueAt(found.get(), clock.instant());
      spool.update(due);
      window.keep(due, false);
      pause.end();
      log.info("message {}: retry now, by operator", id);
    } catch (IOException e) {
      log.error("message {}: could not record the retry in the spool", id, e);
      putBack(inMemory);
      return false;
    } finally {
      window.refilling().unlock();
    }
    wake.run();
    return true;
  }

  /** {@link DeliveryScheduler#retryAll}: every waiting message is due now and a pause ends. */
  void retryAll() {
    Instant now = clock.instant();
    pause.end();
    try {
      spool.bringForward(connector, now);
    } catch (IOException e) {
      log.error("connector '{}': could not bring parked messages forward", connector, e);
    }
    for (QueuedMessage message : queue.takeAll()) {
      window.keep(ActiveWindow.dueAt(message, now), false);
    }
    log.info("connector '{}': every waiting message is due now, by operator", connector);
    wake.run();
  }

  /** {@link DeliveryScheduler#remove}: out of the spool, and when asked with a failure notice. */
  DeliveryScheduler.Removal remove(MessageId id, boolean bounce) {
    Optional<QueuedMessage> inMemory = window.takeWaiting(id);
    window.refilling().lock();
    try {
      if (inMemory.isEmpty() && queue.contains(id)) {
        return DeliveryScheduler.Removal.IN_FLIGHT;
      }
      Optional<QueuedMessage> found = inMemory.isPresent() ? inMemory : spool.read(id);
      if (found.isEmpty() || !owns(found.get())) {
        putBack(inMemory);
        return DeliveryScheduler.Removal.NOT_QUEUED;
      }
      QueuedMessage message = found.get();
      if (bounce && outbox.isPresent()) {
        Instant now = clock.instant();
        AttemptReport removed = new AttemptReport.Local(LocalCause.LOCAL_ERROR, DeliveryScheduler.REMOVED_BY_OPERATOR);
        List<RecipientReport> reports = message.recipients().stream()
            .filter(r -> r.status() == RecipientStatus.PENDING || r.status() == RecipientStatus.HELD)
            .map(r -> RecipientReport.failed(r.recipient(), removed, now))
            .toList();
        if (!reports.isEmpty()) {
          outbox.get().queue(message, reports);
        }
      }
      spool.remove(message);
      outbox.ifPresent(o -> o.forget(id));
      log.info("message {}: removed from the queue by operator{}", id, bounce ? ", sender notified" : "");
      return DeliveryScheduler.Removal.REMOVED;
    } catch (IOException e) {
      log.error("message {}: could not remove it from the spool", id, e);
      putBack(inMemory);
      return DeliveryScheduler.Removal.NOT_QUEUED;
    } finally {
      window.refilling().unlock();
    }
  }

  /** Puts a message that an action took out of memory and then left as it was back where it waits. */
  private void putBack(Optional<QueuedMessage> inMemory) {
    inMemory.ifPresent(m -> window.keep(m, false));
  }

  /** True when a message was found, is this connector's, and has recipients pending. */
  private boolean ownsPending(Optional<QueuedMessage> found) {
    return found.isPresent() && owns(found.get()) && found.get().hasPending();
  }

  // A record without a connector (written before routing was recorded) goes where it was sent.
  private boolean owns(QueuedMessage message) {
    return message.connector() == null || connector.equals(message.connector());
  }
}
