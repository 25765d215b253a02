package relay.server.inbound;

import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import relay.core.metrics.RelayMetrics;
import relay.core.policy.InboundConnector;
import relay.core.tracking.ProtocolLog;
import relay.core.tracking.ProtocolLog.Direction;

/**
 * What one connection's handler needs from its listener: names and endpoints for the protocol
 * log, the chosen connector, TLS, metrics, and a hook to give back its connection slot. Immutable;
 * its ports are thread-safe.
 *
 * @param listener the listener name
 * @param sessionId the session id shared by every log line of this connection
 * @param connector the inbound connector chosen for the client, or empty
 * @param local the local endpoint as {@code ip:port}
 * @param remote the client's endpoint as {@code ip:port}
 * @param via the load balancer that named the client in a PROXY header, or empty: a direct connection
 * @param tls the server TLS context for STARTTLS, or empty
 * @param protocolLog where lines and events go
 * @param metrics where counts go
 * @param onRelease run once when the connection ends
 */
record ConnectionInfo(
    String listener,
    String sessionId,
    Optional<InboundConnector> connector,
    String local,
    String remote,
    String via,
    Optional<SslContext> tls,
    boolean implicitTls,
    ProtocolLog protocolLog,
    RelayMetrics metrics,
    Runnable onRelease) {

  String connectorName() {
    return connector.map(InboundConnector::name).orElse("-");
  }

  void log(Direction direction, String line) {
    protocolLog.line(sessionId, connectorName(), local, remote, direction, line);
  }

  void event(String text) {
    log(Direction.EVENT, text);
  }

  void released() {
    onRelease.run();
  }
}
