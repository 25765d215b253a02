package relay.server.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager for Relay's side as a TLS client: it checks servers' certificates and refuses to
 * be asked about clients' (a mistake in wiring, never a decision to make). Subclasses say how a
 * server is checked.
 */
public abstract class ServerTrust extends X509ExtendedTrustManager {

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw clientSide();
  }

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw clientSide();
  }

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw clientSide();
  }

  private static CertificateException clientSide() {
    return new CertificateException("a server-certificate check was asked about a client certificate");
  }
}
