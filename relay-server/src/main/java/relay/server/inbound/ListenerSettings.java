package relay.server.inbound;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.policy.InboundConnector;

/**
 * What one SMTP listener needs to know.
 *
 * @param name the listener's name in logs and metrics
 * @param bindAddress where to listen (port 0: any free port, see {@link SmtpListener#port()})
 * @param hostName the server name in the greeting, EHLO and Received headers
 * @param connectors inbound connectors in order; the first admitting a client applies
 * @param tls the server TLS context for STARTTLS, or empty: STARTTLS is not offered
 * @param maxConnections most simultaneous connections on this listener
 * @param maxConnectionsPerClient most simultaneous connections from one client IP address
 */
public record ListenerSettings(
    String name,
    InetSocketAddress bindAddress,
    String hostName,
    List<InboundConnector> connectors,
    Optional<SslContext> tls,
    int maxConnections,
    int maxConnectionsPerClient) {

  public ListenerSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(hostName, "hostName");
    Objects.requireNonNull(tls, "tls");
    connectors = List.copyOf(connectors);
    if (tls.isPresent() && tls.get().isClient()) {
      throw new IllegalArgumentException("the listener needs a server TLS context");
    }
    if (maxConnections <= 0 || maxConnectionsPerClient <= 0) {
      throw new IllegalArgumentException("connection limits must be positive");
    }
  }
}
