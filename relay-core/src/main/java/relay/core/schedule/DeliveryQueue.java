package relay.core.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Invariant: a message id is at most once in the queue or in flight, never in both, so a message
 * submitted twice (say, recovered and also handed over by the listener) is attempted once.
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

  /** Adds a message; returns false (and changes nothing) when it is already queued or in flight. */
  boolean add(QueuedMessage message) {
    lock.lock();
    try {
      if (waitingById.containsKey(message.id()) || inFlight.contains(message.id())) {
        return false;
      }
      waiting.add(message);
      waitingById.put(message.id(), message);
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
      next.ifPresent(message -> {
        waiting.add(message);
        waitingById.put(message.id(), message);
      });
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every waiting message (not those in flight). */
  List<QueuedMessage> takeAll() {
    lock.lock();
    try {
      List<QueuedMessage> all = new ArrayList<>(waiting);
      waiting.clear();
      waitingById.clear();
      return all;
    } finally {
      lock.unlock();
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
