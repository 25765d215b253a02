package relay.core.session;

import java.util.Objects;

/**
 * The TLS session of an inbound connection once its handshake completed (after STARTTLS, or at
 * once with implicit TLS): what the tracking log's {@code received} line shows as {@code tls}.
 * Immutable.
 *
 * @param protocol the protocol version negotiated, e.g. {@code TLSv1.3}
 * @param cipherSuite the cipher suite negotiated, e.g. {@code TLS_AES_256_GCM_SHA384}
 */
public record SessionTls(String protocol, String cipherSuite) {

  public SessionTls {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(cipherSuite, "cipherSuite");
  }

  /** {@code TLSv1.3 TLS_AES_256_GCM_SHA384}: for log lines. */
  @Override
  public String toString() {
    return protocol + " " + cipherSuite;
  }
}
