package relay.config.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import relay.core.connector.Secret;

/**
 * Where the shared store of a cluster is: one Redis or Valkey server (a primary; Sentinel and Redis
 * Cluster are not supported), reached over TCP, optionally with TLS.
 *
 * <p>Immutable. Username and password are {@link Secret}s: they came from {@code env:} or
 * {@code file:} references and never show in a log or a {@code toString}.
 *
 * @param host host name or IP address
 * @param port TCP port, 1..65535 from a file; 0 never
 * @param tls whether to speak TLS (the server's certificate is verified, its name included)
 * @param caFile PEM certificates to trust for the server instead of the JDK's; only with TLS
 * @param username the ACL user (Redis 6+); empty: the default user
 * @param password the password; empty: none
 */
public record RedisEndpoint(String host, int port, boolean tls, Optional<Path> caFile, Optional<Secret> username,
    Optional<Secret> password) {

  public RedisEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (caFile.isPresent() && !tls) {
      throw new IllegalArgumentException("a CA file is only used with TLS");
    }
  }

  /** Plain TCP without credentials: for tests and a Redis on the same host. */
  public RedisEndpoint(String host, int port) {
    this(host, port, false, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
