package relay.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import relay.core.connector.TlsMode;

/**
 * The STARTTLS side of a smart-host connector as Angus Mail properties: whether STARTTLS is used or
 * required, the socket factory that decides which certificates are trusted, and whether the host
 * name is checked. Built once per connector; immutable and thread-safe.
 */
final class UpstreamTls {

  private final TlsMode mode;
  private final SSLSocketFactory socketFactory;

  private UpstreamTls(TlsMode mode, SSLSocketFactory socketFactory) {
    this.mode = mode;
    this.socketFactory = socketFactory;
  }

  /**
   * @param caBundle PEM file of trusted CAs, or null for the JDK's system trust store
   * @throws IOException when the CA bundle cannot be read or holds no certificate
   */
  static UpstreamTls of(TlsMode mode, Path caBundle) throws IOException {
    try {
      TrustManager[] trust = switch (mode) {
        case NONE, OPPORTUNISTIC -> new TrustManager[] {new AnyCertificate()};
        case REQUIRED -> trustManagers(caBundle);
      };
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust, null);
      return new UpstreamTls(mode, context.getSocketFactory());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for upstream connections: " + e.getMessage(), e);
    }
  }

  void apply(Properties props) {
    props.put("mail.smtp.starttls.enable", Boolean.toString(mode != TlsMode.NONE));
    props.put("mail.smtp.starttls.required", Boolean.toString(mode == TlsMode.REQUIRED));
    props.put("mail.smtp.ssl.checkserveridentity", Boolean.toString(mode == TlsMode.REQUIRED));
    props.put("mail.smtp.ssl.socketFactory", socketFactory);
  }

  private static TrustManager[] trustManagers(Path caBundle) throws IOException, GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (caBundle == null) {
      factory.init((KeyStore) null);
      return factory.getTrustManagers();
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caBundle)) {
      int n = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + n++, cert);
      }
      if (n == 0) {
        throw new IOException("no certificate in CA bundle " + caBundle);
      }
    }
    factory.init(store);
    return factory.getTrustManagers();
  }

  /** Opportunistic TLS encrypts against passive listeners only; any certificate is accepted by design. */
  private static final class AnyCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
