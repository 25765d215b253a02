package relay.config.load;

import com.typesafe.config.ConfigOrigin;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.routing.ConnectorScope;
import relay.core.schedule.RetrySchedule;

/**
 * An outbound connector as bound from one list element, with where it was written so that problems
 * found later across connectors (by the router) can point at it.
 *
 * @param connector empty when the element's type-specific keys had problems (already recorded)
 * @param retry the connector's own retry schedule (its block over the global one); empty when it has
 *     no {@code retry} block, or when the block had problems (already recorded)
 */
record BoundConnector(
    Optional<OutboundConnector> connector, ConnectorScope scope, Optional<RetrySchedule> retry, ConfigOrigin origin,
    String path) {}
