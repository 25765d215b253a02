package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;

/**
 * Binds the keys of a {@code type = mx} connector: those it shares with smart hosts (port, helo,
 * timeouts, max-connections, TLS keys with {@code opportunistic} as the default) plus
 * {@code max-connections-per-destination}, {@code resolvers} (IP literals with an optional port,
 * 53 by default; empty or absent for the system's resolvers) and {@code dns-timeout}.
 *
 * <p>Not thread-safe (records into the load's problems); one per connector element.
 */
final class MxBinder {

  private final TlsPolicyBinder tlsBinder;
  private final String hostname;

  MxBinder(TlsPolicyBinder tlsBinder, String hostname) {
    this.tlsBinder = tlsBinder;
    this.hostname = hostname;
  }

  /** The connector, or empty when a key had a problem (recorded). */
  Optional<OutboundConnector> bind(Section s, String name) {
    int before = s.problems().count();
    int port = s.port("port").orElse(25);
    Optional<TlsPolicy> tls = tlsBinder.bind(s, TlsMode.OPPORTUNISTIC);
    String helo = s.text("helo").orElse(hostname);
    Duration connect = s.duration("connect-timeout").orElse(Duration.ofSeconds(30));
    Duration read = s.duration("read-timeout").orElse(Duration.ofMinutes(5));
    int max = s.integer("max-connections", 1, 10_000).orElse(20);
    int perDestination = s.integer("max-connections-per-destination", 1, 10_000).orElse(Math.min(5, max));
    if (perDestination > max) {
      s.problem("max-connections-per-destination", "is more than max-connections (" + max + ")",
          "lower it, or raise max-connections");
    }
    List<UpstreamHost> resolvers = resolvers(s);
    Duration dnsTimeout = s.duration("dns-timeout").orElse(Duration.ofSeconds(10));
    if (dnsTimeout.isZero() || dnsTimeout.isNegative()) {
      s.problem("dns-timeout", "must be positive", "e.g. dns-timeout = 10s");
    }
    if (s.problems().count() > before || tls.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OutboundConnector.Mx(
        name, tls.get(), helo, connect, read, max, perDestination, port, resolvers, dnsTimeout));
  }

  private static List<UpstreamHost> resolvers(Section s) {
    List<UpstreamHost> out = new ArrayList<>();
    List<ConfigValue> list = s.list("resolvers").orElse(List.of());
    for (int i = 0; i < list.size(); i++) {
      String at = s.pathOf("resolvers") + "[" + i + "]";
      ConfigValue v = list.get(i);
      s.text(v, at).ifPresent(text -> {
        Optional<UpstreamHost> server = OutboundBinder.host(text, 53)
            .filter(h -> IpLiteral.parse(h.host()).isPresent());
        if (server.isEmpty()) {
          s.problems().add(v.origin(), at, "'" + text + "' is not a DNS server address",
              "an IP address with an optional port, e.g. \"10.0.0.53\", \"10.0.0.53:5353\" or \"[2001:db8::53]:53\"");
        }
        server.ifPresent(out::add);
      });
    }
    return out;
  }
}
