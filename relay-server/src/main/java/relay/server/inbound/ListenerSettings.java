package relay.server.inbound;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;

/**
 * What one SMTP listener needs to know.
 *
 * @param name the listener's name in logs and metrics
 * @param bindAddress where to listen (port 0: any free port, see {@link SmtpListener#port()})
 * @param hostName the server name in the greeting, EHLO and Received headers
 * @param connectors inbound connectors in order; the first admitting a client applies
 * @param tls the server TLS context, or empty: no TLS
 * @param maxConnections most simultaneous connections on this listener
 * @param maxConnectionsPerClient most simultaneous connections from one client IP address
 * @param implicitTls TLS from the first byte (RFC 8314, port 465) instead of STARTTLS
 * @param proxyFrom load balancers whose connections begin with a PROXY protocol header naming the
 *     client; empty: none
 */
public record ListenerSettings(
    String name,
    InetSocketAddress bindAddress,
    String hostName,
    List<InboundConnector> connectors,
    Optional<SslContext> tls,
    int maxConnections,
    int maxConnectionsPerClient,
    boolean implicitTls,
    List<ClientNetwork> proxyFrom) {

  /** Settings for a listener that offers TLS, if at all, through STARTTLS, without PROXY protocol. */
  public ListenerSettings(String name, InetSocketAddress bindAddress, String hostName, List<InboundConnector> connectors,
      Optional<SslContext> tls, int maxConnections, int maxConnectionsPerClient) {
    this(name, bindAddress, hostName, connectors, tls, maxConnections, maxConnectionsPerClient, false, List.of());
  }

  public ListenerSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(hostName, "hostName");
    Objects.requireNonNull(tls, "tls");
    connectors = List.copyOf(connectors);
    proxyFrom = List.copyOf(proxyFrom);
    if (implicitTls && tls.isEmpty()) {
      throw new IllegalArgumentException("implicit TLS needs a TLS context");
    }
    if (tls.isPresent() && tls.get().isClient()) {
      throw new IllegalArgumentException("the listener needs a server TLS context");
    }
    if (maxConnections <= 0 || maxConnectionsPerClient <= 0) {
      throw new IllegalArgumentException("connection limits must be positive");
    }
  }
}
