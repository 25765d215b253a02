package relay.core.session;

import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import relay.core.policy.InboundConnector;
import relay.core.routing.RoutingSnapshot;

/**
 * What a session knows about its connection from the start, fixed for its lifetime.
 *
 * @param hostName the server's host name (greeting, EHLO, Received header)
 * @param connector the inbound connector chosen for the client, or empty: the client is refused
 * @param clientAddress the client's IP address as text
 * @param clientPort the client's TCP port
 * @param tlsAvailable whether a server certificate exists, so STARTTLS can be offered
 * @param clock the time source for the Received header and the envelope's receive time
 * @param sessionId an identifier shared by every log line of the session (also the Received id)
 * @param routing the routing snapshot current when the client connected, kept to the end
 */
public record SessionContext(
    String hostName,
    Optional<InboundConnector> connector,
    String clientAddress,
    int clientPort,
    boolean tlsAvailable,
    InstantSource clock,
    String sessionId,
    RoutingSnapshot routing) {

  public SessionContext {
    Objects.requireNonNull(hostName, "hostName");
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(routing, "routing");
  }

  /** A context without routing configuration: every recipient the connector allows, one route. */
  public SessionContext(
      String hostName, Optional<InboundConnector> connector, String clientAddress, int clientPort,
      boolean tlsAvailable, InstantSource clock, String sessionId) {
    this(hostName, connector, clientAddress, clientPort, tlsAvailable, clock, sessionId,
        RoutingSnapshot.single("default"));
  }

  /**
   * The connector that admitted the client. Only for a session past its connect: a refused client
   * has none, and asking then is a bug in the caller ({@link IllegalStateException}).
   */
  InboundConnector admitted() {
    return connector.orElseThrow(() -> new IllegalStateException("client was refused at connect"));
  }
}
