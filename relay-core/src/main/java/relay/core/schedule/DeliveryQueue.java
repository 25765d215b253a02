package relay.core.schedule;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import relay.core.envelope.MessageId;
import relay.core.spool.QueuedMessage;

/**
 * The in-memory window of one connector's delivery: at most {@code capacity} messages, each either
 * waiting for its next attempt or in flight. It owns <em>which message goes next</em> and nothing
 * else; it never reads a clock (the caller passes {@code now}) and never touches the disk (messages
 * that do not fit are parked in the spool by the caller).
 *
 * <p>Two lines wait: {@code fresh}, new mail that has never been tried, in arrival order; and {@code
 * retries}, everything else (retries, recovered and unparked backlog) by due time, oldest first.
 * {@link #takeDue} alternates between them, so a drained backlog and new mail share the connector
 * and neither starves the other.
 *
 * <p>Invariant: a message id is at most once in the window (waiting or in flight), so a message
 * submitted twice (say, recovered and also unparked) is attempted once; size never exceeds the
 * capacity.
 *
 * <p>Threading: all methods are safe to call from many threads.
 */
final class DeliveryQueue {

  /** What {@link #add} did. */
  enum Added { ADDED, DUPLICATE, FULL }

  private static final Comparator<QueuedMessage> BY_DUE_TIME =
      Comparator.comparing(QueuedMessage::nextAttemptAt).thenComparing(m -> m.id().value());

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<QueuedMessage> fresh = new ArrayDeque<>();
  private final PriorityQueue<QueuedMessage> retries = new PriorityQueue<>(BY_DUE_TIME);
  private final Set<MessageId> present = new HashSet<>();
  private final Set<MessageId> inFlight = new HashSet<>();
  private boolean freshTurn = true;

  DeliveryQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("window capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /**
   * Adds a waiting message unless it is already here or the window is full.
   *
   * @param isNew true for mail just accepted (it waits in the line of new mail), false for the rest
   */
  Added add(QueuedMessage message, boolean isNew) {
    lock.lock();
    try {
      if (present.contains(message.id())) {
        return Added.DUPLICATE;
      }
      if (present.size() >= capacity) {
        return Added.FULL;
      }
      present.add(message.id());
      if (isNew) {
        fresh.add(message);
      } else {
        retries.add(message);
      }
      return Added.ADDED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next message due by {@code now} and marks it in flight, alternating between new mail
   * and the rest when both have one due; empty when nothing is due. (New mail is due when accepted,
   * so its line is in due-time order too.)
   */
  Optional<QueuedMessage> takeDue(Instant now) {
    lock.lock();
    try {
      boolean freshDue = !fresh.isEmpty() && !fresh.peek().nextAttemptAt().isAfter(now);
      boolean retryDue = !retries.isEmpty() && !retries.peek().nextAttemptAt().isAfter(now);
      QueuedMessage next;
      if (freshDue && (freshTurn || !retryDue)) {
        next = fresh.poll();
      } else if (retryDue) {
        next = retries.poll();
      } else {
        return Optional.empty();
      }
      freshTurn = !freshTurn;
      inFlight.add(next.id());
      return Optional.of(next);
    } finally {
      lock.unlock();
    }
  }

  /** Ends the attempt on a message in flight; it leaves the window (the caller re-adds or parks it). */
  void finish(MessageId id) {
    lock.lock();
    try {
      inFlight.remove(id);
      present.remove(id);
    } finally {
      lock.unlock();
    }
  }

  /** Takes a waiting (not in flight) message out of the window; empty when it is not waiting here. */
  Optional<QueuedMessage> remove(MessageId id) {
    lock.lock();
    try {
      if (!present.contains(id) || inFlight.contains(id)) {
        return Optional.empty();
      }
      Optional<QueuedMessage> found = fresh.stream().filter(m -> m.id().equals(id)).findFirst()
          .or(() -> retries.stream().filter(m -> m.id().equals(id)).findFirst());
      found.ifPresent(m -> {
        fresh.remove(m);
        retries.remove(m);
        present.remove(id);
      });
      return found;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the message is in the window (waiting or in flight). */
  boolean contains(MessageId id) {
    lock.lock();
    try {
      return present.contains(id);
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every waiting message (not those in flight). */
  List<QueuedMessage> takeAll() {
    lock.lock();
    try {
      List<QueuedMessage> all = new ArrayList<>(fresh);
      all.addAll(retries);
      all.forEach(m -> present.remove(m.id()));
      fresh.clear();
      retries.clear();
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** When the earliest waiting message is due, if any is waiting. */
  Optional<Instant> nextDue() {
    lock.lock();
    try {
      Optional<Instant> a = Optional.ofNullable(fresh.peek()).map(QueuedMessage::nextAttemptAt);
      Optional<Instant> b = Optional.ofNullable(retries.peek()).map(QueuedMessage::nextAttemptAt);
      if (a.isEmpty()) {
        return b;
      }
      return b.isPresent() && b.get().isBefore(a.get()) ? b : a;
    } finally {
      lock.unlock();
    }
  }

  /** Messages in the window, waiting or in flight. */
  int size() {
    lock.lock();
    try {
      return present.size();
    } finally {
      lock.unlock();
    }
  }

  int capacity() {
    return capacity;
  }

  int waiting() {
    lock.lock();
    try {
      return fresh.size() + retries.size();
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

  /**
   * The earliest of the times {@code acceptedAt} gives the messages in the window (waiting or in
   * flight); empty when it gives none. Looks at every message: for an occasional reading (metrics),
   * the window being small.
   */
  Optional<Instant> earliest(Function<MessageId, Optional<Instant>> acceptedAt) {
    lock.lock();
    try {
      return present.stream().map(acceptedAt).flatMap(Optional::stream).min(Instant::compareTo);
    } finally {
      lock.unlock();
    }
  }
}
