package relay.config.load;

import com.typesafe.config.ConfigValue;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import relay.config.model.AdminConfig;
import relay.config.model.AdminTls;
import relay.config.model.AdminToken;
import relay.config.model.ClusterConfig;
import relay.config.model.DeliveryConfig;
import relay.config.model.ListenerConfig;
import relay.config.model.LoggingConfig;
import relay.config.model.RelayConfig;
import relay.config.model.RoutingConfig;
import relay.config.model.SpoolConfig;
import relay.config.model.TlsFiles;
import relay.config.secret.SecretResolver;
import relay.core.connector.Secret;
import relay.core.policy.InboundConnector;
import relay.core.schedule.RetrySchedule;

/**
 * Binds the resolved {@code relay} object into a {@link RelayConfig}. The data directory is settled
 * first because every other relative path resolves against it; {@code RELAY_HOME} in the
 * environment wins over {@code relay.home}, and a relative home resolves against the working
 * directory. Secrets are resolved by one {@link SecretReader} for the whole load, honouring
 * {@code relay.allow-literal-secrets}.
 */
final class RelayBinder {

  private static final long MIN_LOG_FILE = 1L << 20;

  static final String HOME_VARIABLE = "RELAY_HOME";
  private static final String HOST_NAME =
      "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*";

  private final Map<String, String> environment;
  private final boolean probePorts;
  private final boolean secretsNeeded;

  /**
   * @param probePorts whether to try binding each listener's port (check-config and start-up)
   * @param secretsNeeded whether every secret reference must resolve (false: tools that only read
   *     the configuration's shape, see {@link SecretResolver})
   */
  RelayBinder(Map<String, String> environment, boolean probePorts, boolean secretsNeeded) {
    this.environment = environment;
    this.probePorts = probePorts;
    this.secretsNeeded = secretsNeeded;
  }

  /** The configuration, or empty when there was any problem (all of them recorded). */
  Optional<RelayConfig> bind(Section relay) {
    int before = relay.problems().count();
    relay.require("home", "hostname", "spool", "delivery", "logging", "admin", "outbound-connectors");
    Path home = home(relay);
    String hostname = relay.text("hostname").orElse("localhost");
    if (!hostname.matches(HOST_NAME)) {
      relay.problem("hostname", "'" + hostname + "' is not a host name", "e.g. relay.example.com");
    }
    boolean literals = relay.flag("allow-literal-secrets").orElse(false);
    SecretReader secrets = new SecretReader(new SecretResolver(environment, home, literals, secretsNeeded));
    List<ListenerConfig> listeners = new ListenerBinder(home, probePorts, secrets).bind(relay);
    Optional<SpoolConfig> spool = relay.section("spool").flatMap(s -> spool(s, home));
    OutboundBinder outbound = new OutboundBinder(home, hostname, secrets);
    Optional<DeliveryConfig> delivery = relay.section("delivery").flatMap(outbound::bind);
    // a broken global block is already reported; the defaults only let connector blocks be checked too
    List<BoundConnector> connectors =
        outbound.connectors(relay, delivery.map(DeliveryConfig::retry).orElse(RetrySchedule.DEFAULTS));
    Set<String> inboundNames = listeners.stream()
        .flatMap(l -> l.inboundConnectors().stream()).map(InboundConnector::name).collect(Collectors.toSet());
    Optional<RoutingConfig> routing = new RoutingBinder(inboundNames).bind(relay, connectors);
    Optional<LoggingConfig> logging = relay.section("logging").flatMap(s -> logging(s, home));
    Optional<AdminConfig> admin = relay.section("admin").flatMap(a -> admin(a, secrets, home));
    Optional<ClusterConfig> cluster = relay.section("cluster").flatMap(new ClusterBinder(home, environment, secrets)::bind);
    relay.finish();
    admin.filter(AdminConfig::enabled).ifPresent(a -> listeners.stream()
        .filter(l -> l.port() == a.port() && l.address().equals(a.address()))
        .forEach(l -> relay.problem("admin", "binds " + a.address().getHostAddress() + " port " + a.port()
            + " like listener '" + l.name() + "'", "")));
    if (relay.problems().count() > before) {
      return Optional.empty();
    }
    Map<String, RetrySchedule> connectorRetry = new LinkedHashMap<>();
    connectors.forEach(c -> c.retry().ifPresent(r -> connectorRetry.put(c.scope().connector(), r)));
    return Optional.of(new RelayConfig(home, hostname, listeners, spool.orElseThrow(),
        delivery.orElseThrow().withConnectorRetry(connectorRetry),
        logging.orElseThrow(), admin.orElseThrow(),
        connectors.stream().map(c -> c.connector().orElseThrow()).toList(), routing.orElseThrow(), cluster));
  }

  private Path home(Section relay) {
    String fromEnvironment = environment.get(HOME_VARIABLE);
    Optional<String> fromFile = relay.text("home");
    String text = fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : fromFile.orElse("var");
    try {
      return Path.of(text).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      relay.problem("home", "'" + text + "' is not a path", "");
      return Path.of("").toAbsolutePath();
    }
  }

  private static Optional<SpoolConfig> spool(Section s, Path home) {
    int before = s.problems().count();
    s.require("directory", "min-free-space");
    Path directory = directory(s, home);
    long minFree = s.bytes("min-free-space").orElse(1L);
    s.finish();
    return s.problems().count() > before ? Optional.empty() : Optional.of(new SpoolConfig(directory, minFree));
  }

  private static Optional<LoggingConfig> logging(Section s, Path home) {
    int before = s.problems().count();
    s.require("directory", "keep-days", "max-file-size", "relay-log-total-size", "protocol-log-total-size",
        "tracking-log-total-size");
    Path directory = directory(s, home);
    int keepDays = s.integer("keep-days", 1, 36_500).orElse(30);
    long fileSize = s.bytes("max-file-size").orElse(1L);
    if (fileSize < MIN_LOG_FILE) {
      s.problem("max-file-size", fileSize + " octets is too small for a log file", "at least 1MiB, e.g. 100MiB");
    }
    long[] totals = new long[3];
    String[] keys = {"relay-log-total-size", "protocol-log-total-size", "tracking-log-total-size"};
    for (int i = 0; i < keys.length; i++) {
      String key = keys[i];
      totals[i] = s.bytes(key).orElse(Long.MAX_VALUE);
      if (totals[i] < fileSize) {
        s.problem(key, "is less than max-file-size (" + fileSize + " octets)",
            "a log needs room for at least its current file: raise it, or lower max-file-size");
      }
    }
    s.finish();
    return s.problems().count() > before ? Optional.empty()
        : Optional.of(new LoggingConfig(directory, keepDays, fileSize, totals[0], totals[1], totals[2]));
  }

  private static Optional<AdminConfig> admin(Section s, SecretReader secrets, Path home) {
    int before = s.problems().count();
    s.require("enabled", "address", "port", "metrics-open");
    boolean enabled = s.flag("enabled").orElse(true);
    Optional<InetAddress> address = IpLiteral.read(s, "address");
    int port = s.port("port").orElse(0);
    boolean metricsOpen = s.flag("metrics-open").orElse(true);
    List<AdminToken> tokens = adminTokens(s, secrets);
    Optional<AdminTls> tls = s.section("tls").flatMap(t -> adminTls(t, home));
    s.finish();
    if (enabled && address.isPresent() && !address.get().isLoopbackAddress() && tokens.isEmpty()
        && s.list("tokens").map(List::isEmpty).orElse(true)) {
      s.problem("address", address.get().getHostAddress() + " is reachable from other hosts, and the admin API "
          + "has no tokens", "add tokens = [{ name = \"ops\", token = \"env:RELAY_ADMIN_TOKEN\", role = admin }], "
          + "or bind 127.0.0.1");
    }
    return s.problems().count() > before ? Optional.empty()
        : Optional.of(new AdminConfig(enabled, address.orElseThrow(), port, tokens, metricsOpen, tls));
  }

  /** {@code certificate} and {@code key} (PEM, both required), {@code trust} (PEM CAs, optional); relative to home. */
  private static Optional<AdminTls> adminTls(Section s, Path home) {
    s.require("certificate", "key");
    Optional<String> certificate = s.text("certificate");
    Optional<String> key = s.text("key");
    Optional<Path> trust = s.text("trust").map(home::resolve);
    s.finish();
    if (certificate.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new AdminTls(new TlsFiles(home.resolve(certificate.get()), home.resolve(key.get())), trust));
  }

  private static List<AdminToken> adminTokens(Section s, SecretReader secrets) {
    List<AdminToken> out = new ArrayList<>();
    List<ConfigValue> values = s.list("tokens").orElse(List.of());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      Section.of(values.get(i), s.pathOf("tokens") + "[" + i + "]", s.problems()).ifPresent(t -> {
        t.require("name", "token", "role");
        Optional<String> name = t.text("name");
        Optional<Secret> token = secrets.read(t, "token");
        Optional<AdminToken.Role> role = t.text("role").flatMap(r -> switch (r.strip().toLowerCase(Locale.ROOT)) {
          case "read" -> Optional.of(AdminToken.Role.READ);
          case "admin" -> Optional.of(AdminToken.Role.ADMIN);
          default -> {
            t.problem("role", "'" + r + "' is not a role", "read (look only) or admin (also act on the queue)");
            yield Optional.empty();
          }
        });
        t.finish();
        name.filter(n -> !names.add(n)).ifPresent(n -> t.problem("name", "duplicate token name '" + n + "'",
            "each token's name is how the audit log names its holder"));
        if (name.isPresent() && token.isPresent() && role.isPresent()) {
          out.add(new AdminToken(name.get(), token.get(), role.get()));
        }
      });
    }
    return out;
  }

  private static Path directory(Section s, Path home) {
    Optional<String> text = s.text("directory");
    try {
      return text.map(home::resolve).orElse(home);
    } catch (InvalidPathException e) {
      s.problem("directory", "'" + text.orElseThrow() + "' is not a path", "");
      return home;
    }
  }
}
