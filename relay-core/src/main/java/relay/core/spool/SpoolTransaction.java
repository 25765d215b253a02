package relay.core.spool;

import java.io.IOException;
import java.io.OutputStream;
import relay.core.envelope.Envelope;

/**
 * One message being written into the spool. Call order: write the content to {@link #body()}, then
 * {@link #commit(Envelope)} once, then {@link #close()}. Closing without a successful commit removes
 * everything written, so a failed or abandoned DATA leaves nothing behind.
 *
 * <p>Threading: used by one thread at a time; it may block on disk I/O, so callers run it on a
 * virtual thread, never on an event loop.
 */
public interface SpoolTransaction extends AutoCloseable {

  /** Receives the message content: canonical CRLF lines, already dot-unstuffed. */
  OutputStream body();

  /**
   * Makes the message durable: content and envelope are forced to disk, atomically moved into the
   * queue, and the queue directory is forced. Only after this returns may the client get 250.
   *
   * @throws IOException when durability cannot be guaranteed; nothing is left in the queue then
   */
  QueuedMessage commit(Envelope envelope) throws IOException;

  @Override
  void close();
}
