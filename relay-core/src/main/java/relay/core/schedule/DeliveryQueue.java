package relay.core.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.envelope.MessageId;
import relay.core.spool.QueuedMessage;

/**
 * The due-time queue: queued messages ordered by {@code nextAttemptAt}, plus the set of messages
 * whose attempt is under way. It owns <em>when</em> and nothing else; it never reads a clock (the
 * caller passes {@code now}).
 *
 * <p>Held messages (nothing pending, some recipient held for a configuration problem) are kept
 * apart, never due, until {@link #release} hands them back.
 *
 * <p>Invariant: a message id is at most once in the queue, in flight or held, never in two of them,
 * so a message submitted twice (say, recovered and also handed over by the listener) is attempted
 * once.
 *
 * <p>Threading: all methods are safe to call from many threads.
 */
final class DeliveryQueue {

  private static final Comparator<QueuedMessage> BY_DUE_TIME =
      Comparator.comparing(QueuedMessage::nextAttemptAt).thenComparing(m -> m.id().value());

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<QueuedMessage> waiting = new PriorityQueue<>(BY_DUE_TIME);
  private final Map<MessageId, QueuedMessage> waitingById = new HashMap<>();
  private final Set<MessageId> inFlight = new HashSet<>();
  private final Map<MessageId, QueuedMessage> held = new LinkedHashMap<>();

  /**
   * Adds a message, to the held ones when it is held; returns false (and changes nothing) when it
   * is already queued, in flight or held.
   */
  boolean add(QueuedMessage message) {
    lock.lock();
    try {
      if (waitingById.containsKey(message.id()) || inFlight.contains(message.id()) || held.containsKey(message.id())) {
        return false;
      }
      enqueue(message);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Removes every message due at or before {@code now}, earliest first, and marks them in flight. */
  List<QueuedMessage> takeDue(Instant now) {
    lock.lock();
    try {
      List<QueuedMessage> due = new ArrayList<>();
      while (!waiting.isEmpty() && !waiting.peek().nextAttemptAt().isAfter(now)) {
        QueuedMessage message = waiting.poll();
        waitingById.remove(message.id());
        inFlight.add(message.id());
        due.add(message);
      }
      return due;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the attempt on a message in flight, queueing {@code next} again when it is present. */
  void finish(MessageId id, Optional<QueuedMessage> next) {
    lock.lock();
    try {
      inFlight.remove(id);
      next.ifPresent(this::enqueue);
    } finally {
      lock.unlock();
    }
  }

  /** Takes a held message out of the held ones, or returns empty when it is not held here. */
  Optional<QueuedMessage> release(MessageId id) {
    lock.lock();
    try {
      return Optional.ofNullable(held.remove(id));
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every waiting and held message (not those in flight). */
  List<QueuedMessage> takeAll() {
    lock.lock();
    try {
      List<QueuedMessage> all = new ArrayList<>(waiting);
      all.addAll(held.values());
      waiting.clear();
      waitingById.clear();
      held.clear();
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** The held messages, in the order they were held. */
  List<QueuedMessage> held() {
    lock.lock();
    try {
      return List.copyOf(held.values());
    } finally {
      lock.unlock();
    }
  }

  // the caller holds the lock
  private void enqueue(QueuedMessage message) {
    if (message.isHeld()) {
      held.put(message.id(), message);
    } else {
      waiting.add(message);
      waitingById.put(message.id(), message);
    }
  }

  /** When the earliest waiting message is due, if any is waiting. */
  Optional<Instant> nextDue() {
    lock.lock();
    try {
      return Optional.ofNullable(waiting.peek()).map(QueuedMessage::nextAttemptAt);
    } finally {
      lock.unlock();
    }
  }

  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  int inFlight() {
    lock.lock();
    try {
      return inFlight.size();
    } finally {
      lock.unlock();
    }
  }
}
