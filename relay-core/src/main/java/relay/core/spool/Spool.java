package relay.core.spool;

import java.io.IOException;
import java.util.List;
import relay.core.envelope.MessageId;

/**
 * The durable queue of accepted messages. A message is in the spool from the moment its
 * {@link SpoolTransaction#commit} returns until every recipient is delivered or finally failed and
 * {@link #remove} is called.
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
   * unreadable records (never delivering them), and returns every intact queued message.
   */
  List<QueuedMessage> recover() throws IOException;

  /** The content of a queued message. */
  MessageBody body(MessageId id);

  /** Durably replaces the delivery state (recipient states, attempts, next attempt) of a message. */
  void update(QueuedMessage message) throws IOException;

  /** Removes a message whose recipients are all done. */
  void remove(MessageId id) throws IOException;

  /** Number of messages currently queued. */
  int size();
}
