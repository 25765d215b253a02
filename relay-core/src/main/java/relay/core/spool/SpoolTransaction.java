package relay.core.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
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

  /**
   * Makes the message durable as one spool entry per part, all or nothing: every part's file is
   * forced, renamed into the queue, and the queue directory forced before this returns; on failure
   * none of them stays queued. Parts without header edits share the streamed content; a part with
   * edits is stored with its edited header section and the same body.
   *
   * @param parts at least one part
   * @return the queued messages, in the order of {@code parts}
   * @throws IOException when durability cannot be guaranteed for every part; nothing is queued then
   */
  List<QueuedMessage> commit(List<SpoolPart> parts) throws IOException;

  @Override
  void close();
}
