package relay.core.connector;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How an outbound connector protects its connections: the STARTTLS mode, the names an upstream's
 * certificate must carry under {@link TlsMode#VERIFY}, the oldest protocol version accepted, the CA
 * bundle trusted instead of the system trust store, and the client certificate presented.
 *
 * <p>Invariants: {@code names} and {@code caBundle} are only set with {@link TlsMode#VERIFY} (they
 * would be ignored otherwise, which an operator should hear about at load time rather than discover
 * later); the client certificate needs a mode that uses TLS. Immutable.
 *
 * @param mode when STARTTLS is used and what is checked
 * @param names the expected certificate names; empty means the host name connected to
 * @param minimumVersion the oldest TLS version accepted (also for opportunistic TLS)
 * @param caBundle PEM file of trusted CAs replacing the system trust store, or null
 * @param clientCertificate the certificate presented to the upstream, or null for none
 */
public record TlsPolicy(
    TlsMode mode, List<ExpectedName> names, TlsVersion minimumVersion, Path caBundle, ClientCertificate clientCertificate) {

  /** No STARTTLS at all. */
  public static final TlsPolicy NONE = of(TlsMode.NONE);

  public TlsPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(minimumVersion, "minimumVersion");
    names = List.copyOf(names);
    if (mode != TlsMode.VERIFY && (!names.isEmpty() || caBundle != null)) {
      throw new IllegalArgumentException("expected names and a CA bundle only apply with TLS mode verify");
    }
    if (mode == TlsMode.NONE && clientCertificate != null) {
      throw new IllegalArgumentException("a client certificate needs TLS");
    }
  }

  /** The mode with the defaults: the host's own name, TLS 1.2 or newer, system trust store, no client certificate. */
  public static TlsPolicy of(TlsMode mode) {
    return new TlsPolicy(mode, List.of(), TlsVersion.TLS_1_2, null, null);
  }

  /** Verified TLS expecting these names (empty: the host connected to), trusting this bundle (null: the system's). */
  public static TlsPolicy verify(List<ExpectedName> names, Path caBundle) {
    return new TlsPolicy(TlsMode.VERIFY, names, TlsVersion.TLS_1_2, caBundle, null);
  }

  public TlsPolicy withClientCertificate(ClientCertificate certificate) {
    return new TlsPolicy(mode, names, minimumVersion, caBundle, certificate);
  }

  /**
   * This policy made to insist on encryption, for a message whose onward hop must be encrypted (the
   * mail-flow rule action {@code require-tls}): {@code none} and {@code opportunistic} become
   * {@code required} (keeping the minimum version and the client certificate); {@code required} and
   * {@code verify} already insist and are returned unchanged.
   */
  public TlsPolicy requiringEncryption() {
    return switch (mode) {
      case NONE, OPPORTUNISTIC -> new TlsPolicy(TlsMode.REQUIRED, names, minimumVersion, caBundle, clientCertificate);
      case REQUIRED, VERIFY -> this;
    };
  }

  public TlsPolicy withMinimumVersion(TlsVersion version) {
    return new TlsPolicy(mode, names, version, caBundle, clientCertificate);
  }
}
