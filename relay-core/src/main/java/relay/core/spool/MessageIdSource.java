package relay.core.spool;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import relay.core.envelope.MessageId;

/**
 * Hands out queue ids: 22 characters of Crockford base32 (digits and upper-case letters, so safe as a
 * file name even on case-insensitive file systems): 10 for the epoch millisecond, 4 for a counter
 * that makes ids from one instance unique even within a millisecond (it wraps after 2^20, far more
 * than one millisecond can hold), and 8 (40 bits) of randomness
 * that keeps ids from different runs apart. Because the alphabet is in ASCII order and the fields
 * have fixed width, sorting ids as text sorts them by creation time.
 *
 * <p>Ids only grow: {@link #after} sets a floor from the newest id already queued, so a clock set
 * back (or a test clock) cannot hand out an id that sorts before an existing one.
 *
 * <p>Threading: thread-safe; the random generator is only touched under a lock because common
 * generators are not thread-safe.
 */
final class MessageIdSource {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final int TIME_CHARS = 10;
  private static final int COUNTER_CHARS = 4;
  private static final int RANDOM_CHARS = 8;

  private final InstantSource clock;
  private final RandomGenerator random;
  private final ReentrantLock lock = new ReentrantLock();
  private int counter;
  private volatile long floorMillis = Long.MIN_VALUE;

  MessageIdSource(InstantSource clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  /**
   * Makes every later id sort after {@code last} (an id found in the queue at start-up), even when
   * the clock is behind the time it was made: recovery tells this run's messages from earlier ones by
   * that order. Ids of another shape are ignored.
   */
  void after(MessageId last) {
    millisOf(last).ifPresent(millis -> floorMillis = Math.max(floorMillis, millis + 1));
  }

  /** The epoch millisecond an id of this source's shape was made at; empty for ids of another shape. */
  static OptionalLong millisOf(MessageId id) {
    String value = id.value();
    if (value.length() != TIME_CHARS + COUNTER_CHARS + RANDOM_CHARS) {
      return OptionalLong.empty();
    }
    long millis = 0;
    for (int i = 0; i < value.length(); i++) {
      int digit = Arrays.binarySearch(ALPHABET, value.charAt(i));
      if (digit < 0) {
        return OptionalLong.empty();
      }
      if (i < TIME_CHARS) {
        millis = millis << 5 | digit;
      }
    }
    return OptionalLong.of(millis);
  }

  MessageId next() {
    long millis = Math.max(clock.millis(), floorMillis);
    long sequence;
    long noise;
    lock.lock();
    try {
      sequence = counter++;
      noise = random.nextLong();
    } finally {
      lock.unlock();
    }
    char[] text = new char[TIME_CHARS + COUNTER_CHARS + RANDOM_CHARS];
    put(text, 0, TIME_CHARS, millis);
    put(text, TIME_CHARS, COUNTER_CHARS, sequence);
    put(text, TIME_CHARS + COUNTER_CHARS, RANDOM_CHARS, noise);
    return new MessageId(new String(text));
  }

  // Writes the low 5*width bits of value, most significant first.
  private static void put(char[] text, int offset, int width, long value) {
    for (int i = width - 1; i >= 0; i--) {
      text[offset + i] = ALPHABET[(int) (value & 31)];
      value >>>= 5;
    }
  }
}
