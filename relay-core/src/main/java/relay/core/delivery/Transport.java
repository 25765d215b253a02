package relay.core.delivery;

import java.util.List;

/**
 * Hands a message to the next hop (an upstream SMTP server, a drop folder, ...). Implementations
 * live in relay-server.
 *
 * <p>Contract: returns exactly one outcome per requested recipient; never throws for delivery
 * problems (they become transient or permanent outcomes); may block, so it is called on virtual
 * threads. Implementations are safe for concurrent use.
 */
public interface Transport {

  List<RecipientOutcome> deliver(DeliveryRequest request) throws InterruptedException;
}
