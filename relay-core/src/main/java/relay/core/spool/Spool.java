package relay.core.spool;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Predicate;
import relay.core.envelope.MessageId;

/**
 * The durable queue of accepted messages. A message is in the spool from the moment its
 * {@link SpoolTransaction#commit} returns until every recipient is delivered or finally failed and
 * {@link #remove} is called.
 *
 * <p>Only a bounded window of queued messages is held in memory by delivery; the others are
 * {@linkplain #park parked}: the spool can find them again by connector and due time ({@link
 * #unpark}) or as held mail ({@link #held}) without reading the whole queue.
 *
 * <p>Threading: all methods are safe to call concurrently from many threads and may block on disk
 * I/O (call them from virtual threads).
 */
public interface Spool {

  /**
   * Starts a new message.
   *
   * @throws SpoolFullException when free space is below the configured floor
   */
  SpoolTransaction begin() throws IOException;

  /**
   * A quick answer, without blocking, whether a new message would be admitted now: false while the
   * latest free-space reading (taken by {@link #begin()} or recovery) was below the floor. A listener
   * uses it to refuse DATA early; {@link #begin()} still decides. Safe to call from an event loop.
   */
  default boolean admitsNewMessage() {
    return true;
  }

  /**
   * Scans the queue at start-up: removes leftovers of unfinished writes, quarantines torn or
   * unreadable records (never delivering them), and returns every intact queued message. For tests
   * and small spools; a running relay recovers in the background, message by message.
   */
  List<QueuedMessage> recover() throws IOException;

  /** The content of a queued message. */
  MessageBody body(QueuedMessage message);

  /** The latest recorded state of a queued message; empty when it is not (or no longer) queued. */
  Optional<QueuedMessage> read(MessageId id) throws IOException;

  /**
   * Walks the ids of every queued message, oldest first, until {@code each} returns false; for an
   * operator's listing, so it streams: nothing is collected. Messages committed or removed during
   * the walk may or may not be seen. The default serves in-memory spools.
   */
  default void forEachId(Predicate<MessageId> each) throws IOException {
    for (QueuedMessage message : recover().stream().sorted(Comparator.comparing(m -> m.id().value())).toList()) {
      if (!each.test(message.id())) {
        return;
      }
    }
  }

  /** Durably replaces the delivery state (recipient states, attempts, next attempt) of a message. */
  void update(QueuedMessage message) throws IOException;

  /** Removes a message whose recipients are all done. */
  void remove(QueuedMessage message) throws IOException;

  /**
   * Notes that {@code message} (already recorded in its latest state) leaves memory: a held message
   * is listed by {@link #held}, any other is found by {@link #unpark} once its next attempt is due.
   * Not forced to disk: after a crash, recovery finds every message anyway.
   */
  void park(QueuedMessage message) throws IOException;

  /**
   * Takes up to {@code limit} parked messages of {@code connector} that are due by {@code now}
   * (roughly: the index works in whole minutes, so some may be due a little later), earliest first,
   * in their latest state. A message is returned once per park.
   */
  List<QueuedMessage> unpark(String connector, Instant now, int limit) throws IOException;

  /**
   * Makes every parked message of {@code connector} due later than {@code latest} be taken up by
   * {@code latest} (a retry schedule was shortened); their records keep their own times.
   */
  void bringForward(String connector, Instant latest) throws IOException;

  /** About when the earliest parked message of {@code connector} is due, if any is parked. */
  Optional<Instant> nextParked(String connector);

  /** Up to {@code limit} held messages of {@code connector}, in their latest state. */
  List<QueuedMessage> held(String connector, int limit) throws IOException;

  /** How many messages of {@code connector} are held (counted without reading them). */
  long heldCount(String connector) throws IOException;

  /** How many messages wait parked under {@code connector} (counted without reading them). */
  long parkedCount(String connector) throws IOException;

  /**
   * When the earliest-accepted message parked or held under {@code connector} arrived, known without
   * reading the queue (to within a minute or so); empty when none waits there or this spool cannot
   * tell.
   */
  default Optional<Instant> oldestWaiting(String connector) throws IOException {
    return Optional.empty();
  }

  /**
   * When the message with queue id {@code id} was accepted, as far as the id tells (the spool made
   * it); empty when it cannot tell. Reads nothing from disk.
   */
  default Optional<Instant> acceptedAt(MessageId id) {
    return Optional.empty();
  }

  /** Connectors that have parked or held messages (or had them recently). */
  List<String> parkedConnectors() throws IOException;

  /** Number of messages currently queued (as far as recovery has found them). */
  long size();
}
