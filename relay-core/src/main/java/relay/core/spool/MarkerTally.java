package relay.core.spool;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import relay.core.envelope.MessageId;

/**
 * The markers of one lane of a {@link ParkingIndex}, counted in memory: how many there are, and how
 * many per arrival period (the first {@value #PERIOD_CHARS} characters of a queue id, about 33
 * seconds: see {@link MessageIdSource}). So the size of a lane and when its earliest-accepted
 * message arrived are known without listing its markers, which a lane with a million messages
 * would need for every question.
 *
 * <p>Memory follows the periods, not the messages: a lane whose messages arrived over five days
 * has at most about 13,000 entries, whatever their number.
 *
 * <p>Invariant: after every {@link #add} and {@link #remove} of the same markers has happened, the
 * figures are exact. The two commute (a count may dip below zero for a moment when the marker a
 * thread has just created is taken by another before the first one adds it), so concurrent callers
 * never leave it off; readers never see a negative figure.
 *
 * <p>Threading: thread-safe; one lock, held for a map update.
 */
final class MarkerTally {

  /** Characters of a queue id that name its arrival period. */
  static final int PERIOD_CHARS = 7;
  private static final int ID_CHARS = 22;

  private final ReentrantLock lock = new ReentrantLock();
  // arrival period -> markers; an entry at zero is removed, one below zero waits for its add
  private final TreeMap<String, Long> byPeriod = new TreeMap<>();
  private long count;

  /** A marker for {@code id} was created. */
  void add(MessageId id) {
    change(id, 1);
  }

  /** A marker for {@code id} was deleted. */
  void remove(MessageId id) {
    change(id, -1);
  }

  private void change(MessageId id, long by) {
    // Ids of another shape (not made by this spool's id source) are counted but have no arrival.
    String period = id.value().length() == ID_CHARS ? id.value().substring(0, PERIOD_CHARS) : null;
    lock.lock();
    try {
      count += by;
      if (period != null) {
        byPeriod.merge(period, by, (a, b) -> a + b == 0 ? null : a + b);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Markers in the lane. */
  long count() {
    lock.lock();
    try {
      return Math.max(0, count);
    } finally {
      lock.unlock();
    }
  }

  /** The start of the earliest arrival period that has a marker; empty when none has. */
  Optional<Instant> earliest() {
    lock.lock();
    try {
      for (Map.Entry<String, Long> entry : byPeriod.entrySet()) {
        if (entry.getValue() > 0) {
          return MessageIdSource.periodStart(entry.getKey());
        }
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }
}
