package relay.core.delivery;

import java.util.List;

/**
 * Hands a message to the next hop (an upstream SMTP server, a drop folder, ...). Implementations
 * live in relay-server.
 *
 * <p>Contract: returns exactly one outcome per requested recipient; never throws for delivery
 * problems (they become transient or permanent outcomes); may block, so it is called on virtual
 * threads. Implementations are safe for concurrent use. Whoever makes a transport closes it once its
 * last delivery has ended.
 */
public interface Transport extends AutoCloseable {

  List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException;

  /** Releases what the transport holds (pooled upstream sessions, threads); nothing by default. */
  @Override
  default void close() {}
}
