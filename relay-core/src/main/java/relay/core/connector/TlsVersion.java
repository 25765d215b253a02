package relay.core.connector;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The lowest TLS protocol version an outbound connector accepts. Only versions still considered
 * safe are offered: TLS 1.0 and 1.1 are disabled by the JDK and refused by Microsoft 365
 * ({@code 421 4.7.66}), so they cannot be configured upstream.
 */
public enum TlsVersion {
  TLS_1_2("TLSv1.2"),
  TLS_1_3("TLSv1.3");

  private final String protocolName;

  TlsVersion(String protocolName) {
    this.protocolName = protocolName;
  }

  /** The JSSE protocol name, e.g. {@code TLSv1.2}, which is also how it is written in the config. */
  public String protocolName() {
    return protocolName;
  }

  /** This version and every newer one, newest first, as JSSE protocol names. */
  public List<String> andNewer() {
    return Arrays.stream(values()).filter(v -> v.compareTo(this) >= 0)
        .sorted((a, b) -> b.compareTo(a)).map(TlsVersion::protocolName).toList();
  }

  /** The version with this JSSE name (case-insensitive), if it is one that may be configured. */
  public static Optional<TlsVersion> named(String name) {
    return Arrays.stream(values()).filter(v -> v.protocolName.equalsIgnoreCase(name)).findFirst();
  }
}
