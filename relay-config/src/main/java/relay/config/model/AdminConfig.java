package relay.config.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP endpoint: {@code /healthz} and {@code /readyz} (always open), {@code /metrics}
 * (open unless {@code metricsOpen} is false) and the admin API, which needs a bearer token: one of
 * {@code tokens}, or the local token Relay writes into its home for commands on the same host.
 *
 * <p>Invariant (checked when the file is read): bound to an address other than loopback, the
 * endpoint has at least one token configured.
 *
 * @param enabled whether the endpoint is started at all
 * @param address the IP address to bind (loopback by default)
 * @param port the TCP port to bind, 1..65535 from a file; 0 (any free port) only when built in code,
 *     for tests and embedding
 * @param tokens bearer tokens for the API, each with its role
 * @param metricsOpen whether {@code /metrics} answers without a token (Prometheus scrapers)
 * @param tls HTTPS instead of HTTP, with this certificate; empty: plain HTTP
 */
public record AdminConfig(boolean enabled, InetAddress address, int port, List<AdminToken> tokens, boolean metricsOpen,
    Optional<AdminTls> tls) {

  /** Without tokens of its own, metrics open. */
  public AdminConfig(boolean enabled, InetAddress address, int port) {
    this(enabled, address, port, List.of(), true);
  }

  /** Plain HTTP. */
  public AdminConfig(boolean enabled, InetAddress address, int port, List<AdminToken> tokens, boolean metricsOpen) {
    this(enabled, address, port, tokens, metricsOpen, Optional.empty());
  }

  public AdminConfig {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tls, "tls");
    tokens = List.copyOf(tokens);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }
}
