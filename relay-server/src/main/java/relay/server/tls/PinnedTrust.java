package relay.server.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server that presents exactly one of a few known certificates (pinned: no name check,
 * which the exact match makes moot; how a node reaches its own admin endpoint at a loopback
 * address its certificate does not name), and otherwise what {@code fallback} trusts, with its
 * checks, host name included. Client side only.
 *
 * <p>Threading: immutable; safe for concurrent use.
 */
final class PinnedTrust extends ServerTrust {

  private final List<X509Certificate> pinned;
  private final X509ExtendedTrustManager fallback;

  PinnedTrust(List<X509Certificate> pinned, X509ExtendedTrustManager fallback) {
    this.pinned = List.copyOf(pinned);
    this.fallback = Objects.requireNonNull(fallback, "fallback");
  }

  private boolean isPinned(X509Certificate[] chain) {
    return chain != null && chain.length > 0 && pinned.contains(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    if (!isPinned(chain)) {
      fallback.checkServerTrusted(chain, authType, socket);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    if (!isPinned(chain)) {
      fallback.checkServerTrusted(chain, authType, engine);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (!isPinned(chain)) {
      fallback.checkServerTrusted(chain, authType);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return fallback.getAcceptedIssuers();
  }
}
