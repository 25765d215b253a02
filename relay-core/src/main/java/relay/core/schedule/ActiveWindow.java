package relay.core.schedule;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import relay.core.envelope.MessageId;
import relay.core.spool.QueuedMessage;
import relay.core.spool.Spool;

/**
 * One connector's messages in memory, and their moves to and from the spool's parking index (ADR
 * 0003): what goes into the window ({@link DeliveryQueue}) and what is parked, the refill from the
 * index when the window is less than half full, taking the next due message through its {@link
 * ReadyLanes}, and parking what waits in a lane that stays closed beyond the {@link #HORIZON}.
 *
 * <p>It decides where a message waits, never whether an attempt may start: slots, pauses and
 * threads are the {@link DeliveryScheduler}'s.
 *
 * <p>Invariants: a message is in memory (window or lane line) only when it is due within the
 * horizon and not held; everything else is parked, and a message that cannot be parked stays on
 * disk for the next start's recovery. A message taken from a lane's line is also finished in the
 * window, so the two never disagree on what waits.
 *
 * <p>Threading: every method may be called from any thread; the window and the lanes lock
 * themselves. Refills are serialized by the {@linkplain #refilling() refill lock}: a refill that
 * finds it taken is skipped (the one under way takes what is due), and operator actions that read
 * a message from the spool and put it back in the window hold it, so that a refill cannot take the
 * same message from the index meanwhile and start it twice.
 */
final class ActiveWindow {

  /** Messages due within this are kept in memory rather than parked (the index works in minutes). */
  static final Duration HORIZON = Duration.ofSeconds(60);

  // The scheduler's logger: these lines keep the category operators know them by.
  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

  private final String connector;
  private final Spool spool;
  private final InstantSource clock;
  private final DeliveryQueue queue;
  private final ReadyLanes lanes;
  private final ReentrantLock refilling = new ReentrantLock();

  ActiveWindow(String connector, Spool spool, InstantSource clock, DeliveryQueue queue, ReadyLanes lanes) {
    this.connector = connector;
    this.spool = spool;
    this.clock = clock;
    this.queue = queue;
    this.lanes = lanes;
  }

  /** The same message due at {@code at}, its recipients and attempts as they were. */
  static QueuedMessage dueAt(QueuedMessage message, Instant at) {
    return message.withState(message.recipients(), message.attempts(), at);
  }

  /** Puts a message in the window, or parks it; true when it went into the window. */
  boolean keep(QueuedMessage message, boolean isNew) {
    if (!message.isHeld() && !message.nextAttemptAt().isAfter(clock.instant().plus(HORIZON))) {
      switch (queue.add(message, isNew)) {
        case ADDED -> {
          return true;
        }
        case DUPLICATE -> {
          return false;
        }
        case FULL -> { /* parked below */ }
      }
    }
    park(message);
    return false;
  }

  /** Puts a message in the parking index (with this connector's name when its record has none). */
  void park(QueuedMessage message) {
    try {
      spool.park(message.connector() == null ? message.withConnector(connector) : message);
    } catch (IOException | RuntimeException e) {
      // Not lost: the message is on disk and the next start's recovery finds it.
      log.error("message {}: could not park it in the spool index; it waits until the next restart", message.id(), e);
    }
  }

  /** Takes a message out of the window and parks it until {@code until}. */
  private void parkOut(QueuedMessage message, Instant until) {
    queue.finish(message.id());
    park(dueAt(message, until));
  }

  /** True when the window is less than half full: then it is refilled from the parking index. */
  boolean wantsRefill() {
    return queue.size() * 2 < queue.capacity();
  }

  /** When this connector's earliest parked message is due, as the index tells; empty when none is parked. */
  Optional<Instant> nextParked() {
    return spool.nextParked(connector);
  }

  /** Takes due parked messages of this connector back into the window while it is under half full. */
  void refill(Instant now) {
    if (!wantsRefill() || !refilling.tryLock()) {
      return;
    }
    try {
      Optional<Instant> parked = nextParked();
      if (parked.isEmpty() || parked.get().isAfter(now)) {
        return;
      }
      for (QueuedMessage message : spool.unpark(connector, now, queue.capacity() - queue.size())) {
        // The index decides when a parked message is due: a reload that shortened the schedule, or
        // an operator's retry, brings the index's markers forward rather than rewriting every
        // record, so a record may still name a later time.
        keep(message.nextAttemptAt().isAfter(now) ? dueAt(message, now) : message, false);
      }
    } catch (IOException | RuntimeException e) {
      log.error("connector '{}': could not take parked messages from the spool; trying again later", connector, e);
    } finally {
      refilling.unlock();
    }
  }

  /**
   * The lock that refills take; operator actions hold it while they move a message between the
   * spool and the window.
   */
  ReentrantLock refilling() {
    return refilling;
  }

  /** Parks what waits in lanes that are closed for longer than the horizon (a mailbox out of its day). */
  void parkClosedLanes(Instant now) {
    for (ReadyLanes.Parked parked : lanes.closedLanes(now)) {
      parkOut(parked.message(), parked.until());
    }
  }

  /**
   * The next message that may be attempted now, with its lease: first one that waited in a ready
   * lane and may go now, else the next due one that gets its lanes. A due message whose lane is
   * full or paced waits there (no attempt) or is parked, and the next due one is looked at.
   */
  Optional<LaneLease> nextLease(Instant now) {
    Optional<LaneLease> ready = lanes.nextReady(now);
    while (ready.isEmpty()) {
      Optional<QueuedMessage> due = queue.takeDue(now);
      if (due.isEmpty()) {
        return Optional.empty();
      }
      switch (lanes.offer(due.get(), now)) {
        case ReadyLanes.Grant.Leased leased -> ready = Optional.of(leased.lease());
        case ReadyLanes.Grant.Waits waits -> { /* in its lane's line, still in the window */ }
        case ReadyLanes.Grant.ParkUntil park -> parkOut(due.get(), park.at());
      }
    }
    return ready;
  }

  /** A waiting message taken out of memory (its window slot or its ready lane's line); empty when not waiting here. */
  Optional<QueuedMessage> takeWaiting(MessageId id) {
    return queue.remove(id).or(() -> lanes.remove(id).map(m -> {
      queue.finish(m.id());
      return m;
    }));
  }

  /** Every waiting message taken out of memory: the window's, then the lanes' lines. */
  List<QueuedMessage> takeAllWaiting() {
    List<QueuedMessage> waiting = new ArrayList<>(queue.takeAll());
    for (QueuedMessage message : lanes.takeAll()) {
      queue.finish(message.id());
      waiting.add(message);
    }
    return waiting;
  }
}
