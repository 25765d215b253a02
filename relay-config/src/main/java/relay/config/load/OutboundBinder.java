package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import relay.config.model.DeliveryConfig;
import relay.core.connector.OutboundConnector;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.dsn.DsnPolicy;
import relay.core.envelope.MailPath;
import relay.core.routing.ConnectorScope;
import relay.core.routing.DomainPattern;
import relay.core.schedule.RetrySchedule;

/**
 * Binds {@code relay.outbound-connectors}, each element's keys depending on its {@code type} (a key
 * of another type is reported as unknown, with a hint naming its type), plus the scope keys every
 * type shares ({@code recipient-domains}, {@code rule-scoped}, {@code retry}); and
 * {@code relay.delivery} (the global retry schedule and DSN policy).
 */
final class OutboundBinder {

  /** The connector types a file may name; each maps to one {@link OutboundConnector} variant. */
  enum ConnectorType { DROP, SMART_HOST, SMTP_AUTH, MX, GRAPH }

  private static final List<String> DROP_KEYS = List.of("directory");
  private static final List<String> SMART_HOST_KEYS = Stream.concat(
      Stream.of("hosts", "port", "helo", "connect-timeout", "read-timeout", "max-connections"),
      TlsPolicyBinder.KEYS.stream()).toList();
  private static final List<String> MX_ONLY_KEYS = List.of("resolvers", "dns-timeout", "max-connections-per-destination");
  private static final String HOST_NAME =
      "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*";

  private final Path home;
  private final String hostname;
  private final TlsPolicyBinder tlsBinder;
  private final SmtpAuthBinder smtpAuthBinder;
  private final GraphBinder graphBinder;

  OutboundBinder(Path home, String hostname, SecretReader secrets) {
    this.home = home;
    this.hostname = hostname;
    this.tlsBinder = new TlsPolicyBinder(home, secrets);
    this.smtpAuthBinder = new SmtpAuthBinder(home, hostname, secrets);
    this.graphBinder = new GraphBinder(home, smtpAuthBinder);
  }

  /** {@code relay.delivery}: the retry schedule and DSN policy; a leftover single {@code connector} is pointed at its new home. */
  Optional<DeliveryConfig> bind(Section delivery) {
    int before = delivery.problems().count();
    delivery.require("retry", "dsn");
    delivery.foreign("connector", "outbound connectors are now a list: move it into relay.outbound-connectors = [ { ... } ]");
    Optional<RetrySchedule> retry = delivery.section(RetryBinder.KEY).flatMap(RetryBinder::global);
    Optional<DsnPolicy> dsn = delivery.section("dsn").flatMap(OutboundBinder::dsn);
    int window = delivery.integer("active-window", 1, 10_000_000).orElse(DeliveryConfig.DEFAULT_ACTIVE_WINDOW);
    delivery.finish();
    if (delivery.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new DeliveryConfig(retry.orElseThrow(), dsn.orElseThrow(), java.util.Map.of(), window));
  }

  /**
   * {@code relay.outbound-connectors}: each element bound with its scope; the connector is empty when
   * its keys had problems (recorded). Duplicate names and patterns are left to the router's checks.
   * An element's optional {@code retry} block (any type) is bound here, over {@code globalRetry}.
   */
  List<BoundConnector> connectors(Section relay, RetrySchedule globalRetry) {
    relay.require("outbound-connectors");
    List<ConfigValue> elements = relay.list("outbound-connectors").orElse(List.of());
    if (relay.value("outbound-connectors").isPresent() && elements.isEmpty()) {
      relay.problem("outbound-connectors", "must contain at least one connector",
          "e.g. [ { name = \"drop\", type = drop, recipient-domains = [\"*\"] } ]");
    }
    List<BoundConnector> out = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      ConfigValue element = elements.get(i);
      String path = relay.pathOf("outbound-connectors") + "[" + i + "]";
      Section.of(element, path, relay.problems()).ifPresent(s -> {
        Optional<ConnectorScope> scope = scope(s);
        // read before the type's keys so that finish() knows 'retry' whatever the type
        Optional<RetrySchedule> retry = s.section(RetryBinder.KEY).flatMap(r -> RetryBinder.override(r, globalRetry));
        Optional<OutboundConnector> connector = connector(s);
        // the scope alone still lets rules and the router be checked against this connector's name
        scope.ifPresent(sc -> out.add(new BoundConnector(connector, sc, retry, element.origin(), path)));
      });
    }
    return out;
  }

  /** The recipient domains a connector serves and whether it is rule-scoped. */
  private static Optional<ConnectorScope> scope(Section s) {
    String name = s.text("name").orElse("?");
    boolean ruleScoped = s.flag("rule-scoped").orElse(false);
    List<DomainPattern> patterns = new ArrayList<>();
    List<ConfigValue> values = s.list("recipient-domains").orElse(List.of());
    for (int i = 0; i < values.size(); i++) {
      String at = s.pathOf("recipient-domains") + "[" + i + "]";
      ConfigValue v = values.get(i);
      s.text(v, at).ifPresent(text -> Patterns.domain(text, v.origin(), at, s.problems()).ifPresent(patterns::add));
    }
    return name.isBlank() ? Optional.empty() : Optional.of(new ConnectorScope(name, patterns, ruleScoped));
  }

  private Optional<OutboundConnector> connector(Section s) {
    int before = s.problems().count();
    s.require("name", "type");
    String name = s.text("name").orElse("");
    Optional<ConnectorType> type = s.choice("type", ConnectorType.class);
    if (type.isEmpty()) {
      // the type is unknown, so no key can be judged foreign: only the type problem is useful
      DROP_KEYS.forEach(s::value);
      SMART_HOST_KEYS.forEach(s::value);
      SmtpAuthBinder.KEYS.forEach(s::value);
      MX_ONLY_KEYS.forEach(s::value);
      GraphBinder.KEYS.forEach(s::value);
      s.finish();
      return Optional.empty();
    }
    Optional<OutboundConnector> bound = switch (type.get()) {
      case DROP -> {
        SmtpAuthBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smtp-auth"));
        SMART_HOST_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smart-host"));
        MX_ONLY_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = mx"));
        GraphBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = graph"));
        Path directory = home.resolve(s.text("directory").orElse("drop"));
        yield Optional.of(new OutboundConnector.Drop(name, directory));
      }
      case SMART_HOST -> {
        DROP_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = drop"));
        SmtpAuthBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smtp-auth"));
        MX_ONLY_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = mx"));
        GraphBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = graph"));
        yield smartHost(s, name);
      }
      case SMTP_AUTH -> {
        DROP_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = drop"));
        SMART_HOST_KEYS.forEach(k -> s.foreign(k,
            "'" + k + "' is only for type = smart-host (smtp-auth always verifies TLS 1.2+ with STARTTLS)"));
        MX_ONLY_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = mx"));
        GraphBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = graph"));
        yield smtpAuthBinder.bind(s, name);
      }
      case MX -> {
        DROP_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = drop"));
        SmtpAuthBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smtp-auth"));
        s.foreign("hosts", "type = mx finds the hosts in DNS; for fixed hosts use type = smart-host");
        GraphBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = graph"));
        yield new MxBinder(tlsBinder, hostname).bind(s, name);
      }
      case GRAPH -> {
        DROP_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = drop"));
        SMART_HOST_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smart-host"));
        SmtpAuthBinder.KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = smtp-auth"));
        MX_ONLY_KEYS.forEach(k -> s.foreign(k, "'" + k + "' is only for type = mx"));
        s.foreign("host", "type = graph sends to graph-url (default https://graph.microsoft.com)");
        yield graphBinder.bind(s, name);
      }
    };
    s.finish();
    return s.problems().count() > before ? Optional.empty() : bound;
  }

  private Optional<OutboundConnector> smartHost(Section s, String name) {
    if (s.value("hosts").isEmpty()) {
      s.problem("hosts", "is required for type = smart-host", "e.g. hosts = [\"mail.example.com\", \"10.0.0.2:2525\"]");
    }
    int port = s.port("port").orElse(25);
    List<UpstreamHost> hosts = hosts(s, port);
    Optional<TlsPolicy> tls = tlsBinder.bind(s, TlsMode.OPPORTUNISTIC);
    String helo = s.text("helo").orElse(hostname);
    Duration connect = s.duration("connect-timeout").orElse(Duration.ofSeconds(30));
    Duration read = s.duration("read-timeout").orElse(Duration.ofMinutes(5));
    int max = s.integer("max-connections", 1, 10_000).orElse(20);
    if (hosts.isEmpty() || tls.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OutboundConnector.SmartHost(name, hosts, tls.get(), helo, connect, read, max));
  }

  private static List<UpstreamHost> hosts(Section s, int defaultPort) {
    Optional<List<ConfigValue>> values = s.list("hosts");
    if (values.isPresent() && values.get().isEmpty()) {
      s.problem("hosts", "must name at least one host", "e.g. [\"mail.example.com\", \"10.0.0.2:2525\"]");
    }
    List<UpstreamHost> out = new ArrayList<>();
    List<ConfigValue> list = values.orElse(List.of());
    for (int i = 0; i < list.size(); i++) {
      String at = s.pathOf("hosts") + "[" + i + "]";
      ConfigValue v = list.get(i);
      s.text(v, at).ifPresent(text -> {
        Optional<UpstreamHost> host = host(text, defaultPort);
        if (host.isEmpty()) {
          s.problems().add(v.origin(), at, "'" + text + "' is not a host",
              "host, host:port, IP address or [IPv6]:port, e.g. mail.example.com:587");
        }
        host.ifPresent(out::add);
      });
    }
    return out;
  }

  /** {@code name}, {@code name:port}, {@code 10.0.0.2:2525}, {@code [2001:db8::1]:25} or a bare IPv6 literal. */
  static Optional<UpstreamHost> host(String text, int defaultPort) {
    String host = text;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return Optional.empty();
        }
        port = rest.substring(1);
      }
      if (IpLiteral.parse(host).isEmpty() || host.indexOf(':') < 0) {
        return Optional.empty();
      }
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      return IpLiteral.parse(text).map(a -> new UpstreamHost(text, defaultPort));
    } else if (text.indexOf(':') >= 0) {
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    if (!host.contains(":") && !host.matches(HOST_NAME)) {
      return Optional.empty();
    }
    int number = defaultPort;
    if (port != null) {
      if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
        return Optional.empty();
      }
      number = Integer.parseInt(port);
    }
    return Optional.of(new UpstreamHost(host, number));
  }

  /** {@code relay.delivery.dsn}: enabled, an optional report address, the delay notice (0 = off). */
  private static Optional<DsnPolicy> dsn(Section s) {
    int before = s.problems().count();
    s.require("enabled", "delay-notice-after");
    Optional<Boolean> enabled = s.flag("enabled");
    Optional<Duration> delay = s.durationOrZero("delay-notice-after");
    MailPath reportAddress = null;
    Optional<String> address = s.text("report-address");
    if (address.isPresent()) {
      try {
        reportAddress = MailPath.parse(address.get());
      } catch (IllegalArgumentException e) {
        s.problem("report-address", "'" + address.get() + "' is not a mailbox address", "e.g. postmaster@contoso.com");
      }
    }
    s.finish();
    if (s.problems().count() > before) {
      return Optional.empty();
    }
    return Optional.of(new DsnPolicy(enabled.orElseThrow(), reportAddress, delay.orElseThrow()));
  }
}
