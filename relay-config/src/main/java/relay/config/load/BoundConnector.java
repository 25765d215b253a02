package relay.config.load;

import com.typesafe.config.ConfigOrigin;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.routing.ConnectorScope;

/**
 * An outbound connector as bound from one list element, with where it was written so that problems
 * found later across connectors (by the router) can point at it.
 *
 * @param connector empty when the element's type-specific keys had problems (already recorded)
 */
record BoundConnector(Optional<OutboundConnector> connector, ConnectorScope scope, ConfigOrigin origin, String path) {}
