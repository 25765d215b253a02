package relay.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the admin API can see and do in the queue: list and summarise it, show one message, act on
 * one message, and look at or act on a connector. The API layer maps these to routes and checks who
 * may call them; implementations (the server's {@code QueueDesk}) map them to the spool and the
 * delivery schedulers.
 *
 * <p>Implementations are thread-safe; calls block on disk I/O (run them on virtual threads).
 */
public interface QueueOperations {

  /**
   * Streams the queued messages that {@code filter} accepts, oldest first, to {@code each} until it
   * returns false: nothing is collected, so a million queued messages cost time, not memory.
   */
  void list(QueueFilter filter, Predicate<QueueEntry> each) throws IOException;

  /** Counts per connector and ages, from indexes and names: never reads every message. */
  QueueSummary summary() throws IOException;

  /** One message in full (envelope, main headers, each recipient's state); empty when not queued. */
  Optional<MessageDetail> show(String id) throws IOException;

  /** The message content as queued; empty when not queued. The caller closes the stream. */
  Optional<InputStream> content(String id) throws IOException;

  /** Acts on one message; the outcome says what happened, in words an operator reads. */
  ActionOutcome act(String id, QueueAction action) throws IOException;

  /** Every connector's state. */
  List<ConnectorState> connectors();

  /** Acts on a connector; empty when there is no connector of that name. */
  Optional<ActionOutcome> act(String connector, ConnectorAction action);
}
