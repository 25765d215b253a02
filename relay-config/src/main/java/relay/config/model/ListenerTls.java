package relay.config.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a listener offers TLS: not at all, through STARTTLS, or from the first byte (implicit TLS,
 * RFC 8314, port 465), with the lowest protocol version it accepts.
 *
 * <p>Versions below TLS 1.2 exist only for listeners that serve old printers and scanners: choosing
 * one is explicit ({@code tls-min-version = "TLSv1"}), logged at start, and never changes what any
 * other listener or any outbound connection accepts. Immutable.
 *
 * @param mode none, STARTTLS or implicit
 * @param minVersion the lowest protocol version accepted
 */
public record ListenerTls(Mode mode, Version minVersion) {

  /** When TLS starts. */
  public enum Mode { NONE, STARTTLS, IMPLICIT }

  /** A TLS protocol version a listener may accept, oldest first. */
  public enum Version {
    TLS_1_0("TLSv1"),
    TLS_1_1("TLSv1.1"),
    TLS_1_2("TLSv1.2"),
    TLS_1_3("TLSv1.3");

    private final String protocolName;

    Version(String protocolName) {
      this.protocolName = protocolName;
    }

    /** The JSSE name, which is also how it is written in the configuration. */
    public String protocolName() {
      return protocolName;
    }

    /** Below TLS 1.2: for old devices only. */
    public boolean isLegacy() {
      return compareTo(TLS_1_2) < 0;
    }

    /** This version and every newer one, newest first, as JSSE names. */
    public List<String> andNewer() {
      return Arrays.stream(values()).filter(v -> v.compareTo(this) >= 0)
          .sorted((a, b) -> b.compareTo(a)).map(Version::protocolName).toList();
    }

    /** The version with this JSSE name, case-insensitive. */
    public static Optional<Version> named(String name) {
      return Arrays.stream(values()).filter(v -> v.protocolName.equalsIgnoreCase(name)).findFirst();
    }
  }

  /** STARTTLS with TLS 1.2 or newer: the default. */
  public static final ListenerTls STARTTLS = new ListenerTls(Mode.STARTTLS, Version.TLS_1_2);

  /** No TLS at all. */
  public static final ListenerTls NONE = new ListenerTls(Mode.NONE, Version.TLS_1_2);

  public ListenerTls {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(minVersion, "minVersion");
  }

  /** Whether TLS is offered at all. */
  public boolean enabled() {
    return mode != Mode.NONE;
  }
}
