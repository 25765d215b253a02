package relay.config.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import relay.config.model.ClusterConfig;
import relay.config.model.RedisEndpoint;
import relay.core.connector.Secret;

/**
 * Binds the optional {@code relay.cluster} section into a {@link ClusterConfig}. The node name
 * defaults to the machine's host name ({@code HOSTNAME} from the injected environment, else what
 * the JDK finds), which is what a StatefulSet or a systemd host gives each node anyway. Password and
 * username are secret references read by the load's one {@link SecretReader}.
 *
 * <p>Not thread-safe; one per load.
 */
final class ClusterBinder {

  private static final String WORD = "[A-Za-z0-9][A-Za-z0-9._-]*";
  private static final Duration SHORTEST_TTL = Duration.ofSeconds(3);

  private final Path home;
  private final Map<String, String> environment;
  private final SecretReader secrets;

  ClusterBinder(Path home, Map<String, String> environment, SecretReader secrets) {
    this.home = home;
    this.environment = environment;
    this.secrets = secrets;
  }

  /** The section, or empty when there is none or it has a problem (recorded). */
  Optional<ClusterConfig> bind(Section s) {
    int before = s.problems().count();
    s.require("redis");
    String node = s.text("node-name").orElseGet(this::hostName);
    if (!node.matches(WORD)) {
      s.problem("node-name", "'" + node + "' is not a node name", "one word of letters, digits, '.', '_' or '-', e.g. relay-1");
    }
    String prefix = s.text("key-prefix").orElse(ClusterConfig.DEFAULT_KEY_PREFIX);
    if (prefix.chars().anyMatch(Character::isWhitespace)) {
      s.problem("key-prefix", "'" + prefix + "' holds white space", "e.g. \"relay:\" or \"relay-prod:\"");
    }
    Duration ttl = s.duration("lease-ttl").orElse(ClusterConfig.DEFAULT_LEASE_TTL);
    if (ttl.compareTo(SHORTEST_TTL) < 0) {
      s.problem("lease-ttl", ttl.toMillis() + " ms is too short",
          "at least 3s: leases are renewed every third of it, and a slow renewal must not lose one");
    }
    Optional<URI> adminUrl = s.text("admin-url").flatMap(text -> adminUrl(s, text));
    Optional<RedisEndpoint> redis = s.section("redis").flatMap(this::redis);
    s.finish();
    return s.problems().count() > before || redis.isEmpty() ? Optional.empty()
        : Optional.of(new ClusterConfig(node, redis.get(), prefix, ttl, adminUrl));
  }

  private Optional<RedisEndpoint> redis(Section r) {
    int before = r.problems().count();
    r.require("host");
    String host = r.text("host").orElse("localhost");
    int port = r.port("port").orElse(6379);
    boolean tls = r.flag("tls").orElse(false);
    Optional<Path> ca = r.text("ca-file").map(home::resolve);
    if (ca.isPresent() && !tls) {
      r.problem("ca-file", "is used only with TLS", "set tls = true, or remove ca-file");
    } else if (ca.isPresent() && !Files.isReadable(ca.get())) {
      r.problem("ca-file", ca.get() + " cannot be read", "a PEM file with the CA certificate(s) of the Redis server");
    }
    Optional<Secret> username = secrets.read(r, "username");
    Optional<Secret> password = secrets.read(r, "password");
    r.finish();
    return r.problems().count() > before ? Optional.empty()
        : Optional.of(new RedisEndpoint(host, port, tls, tls ? ca : Optional.empty(), username, password));
  }

  private static Optional<URI> adminUrl(Section s, String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    s.problem("admin-url", "'" + text + "' is not an http(s) URL", "how other nodes reach this node's admin API, "
        + "e.g. http://10.0.0.11:9025");
    return Optional.empty();
  }

  private String hostName() {
    String fromEnvironment = environment.get("HOSTNAME");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
