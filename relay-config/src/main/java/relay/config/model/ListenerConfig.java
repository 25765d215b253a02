package relay.config.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.policy.ClientNetwork;
import relay.core.policy.InboundConnector;

/**
 * One SMTP listening socket and who may use it.
 *
 * <p>Invariants: the port is 0..65535, where 0 asks the operating system for a free port (for
 * tests and embedding: a configuration file must name a real port, 1..65535, which the binder
 * checks); {@code maxConnectionsPerClient <= maxConnections}; the
 * inbound connectors are never empty and are kept in file order, because the first whose client
 * networks contain the client applies ({@link InboundConnector#select}). Immutable.
 *
 * @param name shown in logs and metrics; unique among listeners
 * @param address the IP address to bind (a literal, never a host name)
 * @param port the TCP port to bind; 0 for any free port
 * @param encryption whether TLS is offered, through STARTTLS or from the first byte, and from which version
 * @param tls PEM certificate chain and key; empty with TLS offered means a self-signed
 *     certificate is generated under {@link RelayConfig#generatedTlsDirectory()}
 * @param maxConnections most simultaneous sessions on this listener
 * @param maxConnectionsPerClient most simultaneous sessions from one client address
 * @param inboundConnectors ordered; first match by client address wins
 * @param proxyFrom load balancers that announce each client with a PROXY protocol header (v1 or
 *     v2): a connection from these networks must begin with one, and the client it names is the
 *     client; empty: no PROXY protocol on this listener
 */
public record ListenerConfig(
    String name,
    InetAddress address,
    int port,
    ListenerTls encryption,
    Optional<TlsFiles> tls,
    int maxConnections,
    int maxConnectionsPerClient,
    List<InboundConnector> inboundConnectors,
    List<ClientNetwork> proxyFrom) {

  public ListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(encryption, "encryption");
    Objects.requireNonNull(tls, "tls");
    inboundConnectors = List.copyOf(inboundConnectors);
    proxyFrom = List.copyOf(proxyFrom);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxConnections < 1 || maxConnectionsPerClient < 1 || maxConnectionsPerClient > maxConnections) {
      throw new IllegalArgumentException("connection limits must satisfy 1 <= per-client <= total");
    }
    if (inboundConnectors.isEmpty()) {
      throw new IllegalArgumentException("listener '" + name + "' has no inbound connectors");
    }
  }

  /** Whether STARTTLS is offered. */
  public boolean starttls() {
    return encryption.mode() == ListenerTls.Mode.STARTTLS;
  }
}
