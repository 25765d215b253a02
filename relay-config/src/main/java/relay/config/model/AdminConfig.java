package relay.config.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The admin HTTP endpoint serving {@code /metrics}, {@code /healthz} and {@code /readyz}.
 *
 * @param enabled whether the endpoint is started at all
 * @param address the IP address to bind (loopback by default: it has no authentication)
 * @param port the TCP port to bind, 1..65535 from a file; 0 (any free port) only when built in code,
 *     for tests and embedding
 */
public record AdminConfig(boolean enabled, InetAddress address, int port) {

  public AdminConfig {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }
}
