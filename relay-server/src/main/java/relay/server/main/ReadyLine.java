package relay.server.main;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import relay.config.model.ListenerConfig;
import relay.config.model.RelayConfig;
import relay.core.connector.OutboundConnector;
import relay.core.policy.InboundConnector;

/**
 * The {@code Relay ready} line an operator reads at start-up: where mail is accepted (address,
 * TLS, PROXY protocol), from whom (each inbound connector's networks and whether it may relay),
 * where it goes (each outbound connector) and where the metrics are. Secrets never appear in it.
 *
 * @param config the running configuration
 * @param smtp the bound SMTP addresses, one per listener, in configuration order
 * @param admin the bound admin address, when enabled
 */
record ReadyLine(RelayConfig config, List<InetSocketAddress> smtp, Optional<InetSocketAddress> admin) {

  /** The line: each listener, then the outbound connectors, then the metrics address. */
  String text() {
    StringBuilder out = new StringBuilder("Relay ready: ");
    for (int i = 0; i < smtp.size(); i++) {
      ListenerConfig listener = config.listeners().get(i);
      InetSocketAddress bound = smtp.get(i);
      out.append(i == 0 ? "" : "; ")
          .append("SMTP on ")
          .append(bound.getAddress().getHostAddress())
          .append(':')
          .append(bound.getPort())
          .append(switch (listener.encryption().mode()) {
            case NONE -> "";
            case STARTTLS -> " (STARTTLS";
            case IMPLICIT -> " (implicit TLS";
          })
          .append(!listener.encryption().enabled() ? ""
              : listener.encryption().minVersion().isLegacy() ? ", from " + listener.encryption().minVersion().protocolName() + ")"
              : ")")
          .append(listener.proxyFrom().isEmpty() ? "" : " behind PROXY protocol from " + listener.proxyFrom())
          .append(" from ")
          .append(listener.inboundConnectors().stream().map(ReadyLine::describe).collect(Collectors.joining(", ")));
    }
    out.append("; mail goes to ").append(config.outboundConnectors().stream().map(ReadyLine::describe).collect(Collectors.joining(", ")));
    admin.ifPresent(a -> out.append("; metrics on http://")
        .append(a.getAddress().getHostAddress()).append(':').append(a.getPort()).append("/metrics"));
    return out.toString();
  }

  private static String describe(InboundConnector connector) {
    return connector.name() + " " + connector.clientNetworks() + (connector.relayToAnyDomain() ? " (may relay)" : "");
  }

  private static String describe(OutboundConnector connector) {
    return switch (connector) {
      case OutboundConnector.Drop drop -> "drop folder " + drop.directory();
      case OutboundConnector.SmartHost smartHost ->
          "smart host " + smartHost.hosts() + " (TLS " + smartHost.tls().mode().name().toLowerCase(Locale.ROOT) + ")";
      case OutboundConnector.Mx mx -> "MX lookup (TLS " + mx.tls().mode().name().toLowerCase(Locale.ROOT) + ")";
      case OutboundConnector.SmtpAuth smtpAuth -> "smtp-auth " + smtpAuth.host();
      case OutboundConnector.Graph graph -> "graph " + graph.graphUrl();
    };
  }
}
