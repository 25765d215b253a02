package relay.config.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
 * @param delivery the outbound connector and the retry schedule
 * @param logging where the protocol and relay logs go
 * @param admin the admin HTTP endpoint ({@code /metrics}, {@code /healthz})
 */
public record RelayConfig(
    Path home,
    String hostname,
    List<ListenerConfig> listeners,
    SpoolConfig spool,
    DeliveryConfig delivery,
    LoggingConfig logging,
    AdminConfig admin) {

  public RelayConfig {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(spool, "spool");
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(admin, "admin");
    listeners = List.copyOf(listeners);
    if (!home.isAbsolute()) {
      throw new IllegalArgumentException("home must be absolute: " + home);
    }
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("at least one listener is needed");
    }
  }

  /** Where a self-signed certificate is generated when a STARTTLS listener names no PEM files. */
  public Path generatedTlsDirectory() {
    return home.resolve("tls");
  }
}
