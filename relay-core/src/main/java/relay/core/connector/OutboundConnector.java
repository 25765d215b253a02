package relay.core.connector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Where accepted mail goes next. A closed set: every user switches over it exhaustively. */
public sealed interface OutboundConnector {

  String name();

  /**
   * Writes each message as {@code <id>.eml} plus its envelope beside it into a folder, like the
   * Drop folder of IIS SMTP. For testing, archiving and the embedded default.
   */
  record Drop(String name, Path directory) implements OutboundConnector {
    public Drop {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(directory, "directory");
    }
  }

  /**
   * Relays over SMTP to a list of hosts, tried in order.
   *
   * @param hosts upstream servers in order of preference (never empty)
   * @param tls STARTTLS mode, certificate checks, protocol versions and client certificate
   * @param heloName the name Relay gives in EHLO
   * @param connectTimeout TCP connect timeout
   * @param readTimeout timeout for each reply
   * @param maxConnections most simultaneous connections to this connector's hosts
   */
  record SmartHost(
      String name,
      List<UpstreamHost> hosts,
      TlsPolicy tls,
      String heloName,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConnections)
      implements OutboundConnector {
    public SmartHost {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(heloName, "heloName");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(readTimeout, "readTimeout");
      hosts = List.copyOf(hosts);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("smart-host connector '" + name + "' has no hosts");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1");
      }
    }
  }
}
