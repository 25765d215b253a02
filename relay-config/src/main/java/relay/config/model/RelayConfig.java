package relay.config.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.routing.DomainPattern;

/**
 * The whole, validated configuration of one Relay instance, bound once at start-up from the
 * embedded default and an optional HOCON file ({@code relay.config.load.ConfigLoader}).
 *
 * <p>Invariants: every path is absolute (relative ones in the file were resolved against
 * {@link #home()}); there is at least one listener; listener names are unique. Immutable and
 * therefore safe to share between threads.
 *
 * @param home the data directory: spool, logs, drop folder and generated TLS material live below it
 * @param hostname the name Relay gives in its greeting, EHLO and {@code Received} headers
 * @param listeners the SMTP listeners, in file order
 * @param spool where accepted mail is queued and how much disk must stay free
 * @param delivery the retry schedule
 * @param logging where the protocol and relay logs go
 * @param admin the admin HTTP endpoint ({@code /metrics}, {@code /healthz}, {@code /readyz})
 * @param outboundConnectors where mail can leave, in file order; names unique, never empty
 * @param routing accepted and remote domains, which connector serves which recipients, and rules
 * @param cluster this node's place in a cluster that shares lane limits; empty for a single node
 */
public record RelayConfig(
    Path home,
    String hostname,
    List<ListenerConfig> listeners,
    SpoolConfig spool,
    DeliveryConfig delivery,
    LoggingConfig logging,
    AdminConfig admin,
    List<OutboundConnector> outboundConnectors,
    RoutingConfig routing,
    Optional<ClusterConfig> cluster) {

  /** A single node (no {@code cluster} section). */
  public RelayConfig(Path home, String hostname, List<ListenerConfig> listeners, SpoolConfig spool,
      DeliveryConfig delivery, LoggingConfig logging, AdminConfig admin, List<OutboundConnector> outboundConnectors,
      RoutingConfig routing) {
    this(home, hostname, listeners, spool, delivery, logging, admin, outboundConnectors, routing, Optional.empty());
  }

  public RelayConfig {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(spool, "spool");
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(cluster, "cluster");
    listeners = List.copyOf(listeners);
    outboundConnectors = List.copyOf(outboundConnectors);
    if (outboundConnectors.isEmpty()) {
      throw new IllegalArgumentException("at least one outbound connector is needed");
    }
    if (!home.isAbsolute()) {
      throw new IllegalArgumentException("home must be absolute: " + home);
    }
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("at least one listener is needed");
    }
  }

  /** The outbound connector of that name. */
  public Optional<OutboundConnector> outboundConnector(String name) {
    return outboundConnectors.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The connector serving {@code *} (any recipient domain), else the first one: what a runtime that
   * does not yet route per recipient should use.
   */
  public OutboundConnector defaultConnector() {
    return routing.connectors().stream()
        .filter(s -> !s.ruleScoped() && s.recipientDomains().contains(DomainPattern.ANY))
        .findFirst()
        .flatMap(s -> outboundConnector(s.connector()))
        .orElse(outboundConnectors.getFirst());
  }

  /** Where a self-signed certificate is generated when a STARTTLS listener names no PEM files. */
  public Path generatedTlsDirectory() {
    return home.resolve("tls");
  }
}
