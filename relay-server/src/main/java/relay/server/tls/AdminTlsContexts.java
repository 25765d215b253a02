package relay.server.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import relay.config.model.AdminTls;

/**
 * The TLS contexts of the admin endpoint ({@code relay.admin.tls}): the server's, presenting its
 * certificate, and the client's, used to call admin endpoints (this node's own for the command
 * line and the cluster views, and the other nodes'). The client trusts this node's certificate as
 * pinned, and otherwise the configured CAs ({@code trust}) or the JVM's, with host-name checks.
 * Errors name the file.
 */
public final class AdminTlsContexts {

  private AdminTlsContexts() {}

  /** The endpoint's own context. */
  public static SSLContext server(AdminTls tls) throws IOException {
    PemKeyMaterial material = PemKeyMaterial.read(tls.files().certificate(), tls.files().key());
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(material.keyManagers().getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("admin TLS: " + e.getMessage(), e);
    }
  }

  /** A client context for admin endpoints (see above); {@code tls} empty: the JVM's trust only. */
  public static SSLContext client(Optional<AdminTls> tls) throws IOException {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      Optional<KeyStore> cas = tls.flatMap(AdminTls::trust).isPresent()
          ? Optional.of(PemKeyMaterial.trustStore(tls.get().trust().get())) : Optional.empty();
      factory.init(cas.orElse(null));
      X509ExtendedTrustManager fallback = null;
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          fallback = x509;
        }
      }
      if (fallback == null) {
        throw new GeneralSecurityException("no X.509 trust manager");
      }
      TrustManager trust = tls.isEmpty() ? fallback
          : new PinnedTrust(List.of(PemKeyMaterial.readCertificates(tls.get().files().certificate()).getFirst()), fallback);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("admin TLS: " + e.getMessage(), e);
    }
  }
}
