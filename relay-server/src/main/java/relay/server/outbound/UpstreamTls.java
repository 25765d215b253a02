package relay.server.outbound;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import relay.core.connector.ClientCertificate;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;
import relay.core.connector.UpstreamHost;
import relay.core.delivery.AttemptReport;
import relay.core.delivery.LocalCause;
import relay.core.delivery.UpstreamHop;
import relay.server.tls.PemKeyMaterial;

/**
 * The TLS side of an outbound connector as Angus Mail properties: whether STARTTLS is used or
 * required, the protocol versions offered (the policy's minimum and newer; JDK default ciphers), the
 * socket factory that decides which server certificates are accepted ({@link CertificateCheck} under
 * {@code verify}, any under {@code opportunistic} and {@code required}) and which client certificate
 * is presented. Angus's own host name check stays off: the names are checked by
 * {@link CertificateCheck}, against the configured names.
 *
 * <p>Also the one place that turns a failed TLS start into an operator-readable reason, and a TLS
 * session into the facts an attempt reports ({@link #hop}). Built once
 * per connector (reading the CA bundle and client certificate then, so mistakes show at start-up);
 * immutable and thread-safe.
 */
final class UpstreamTls {

  // Angus Mail's wording when STARTTLS is required and the EHLO reply does not offer it.
  private static final String ANGUS_NO_STARTTLS = "STARTTLS is required but host does not support STARTTLS";

  private final TlsPolicy policy;
  private final SSLSocketFactory socketFactory;

  private UpstreamTls(TlsPolicy policy, SSLSocketFactory socketFactory) {
    this.policy = policy;
    this.socketFactory = socketFactory;
  }

  /**
   * @throws IOException when the CA bundle or the client certificate cannot be read (the message
   *     names the file, never the key password)
   */
  static UpstreamTls of(TlsPolicy policy, InstantSource clock) throws IOException {
    try {
      TrustManager trust = switch (policy.mode()) {
        case NONE, OPPORTUNISTIC, REQUIRED -> new AnyCertificate();
        case VERIFY -> new CertificateCheck(pkix(policy), policy.names(), clock);
      };
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(policy.clientCertificate()), new TrustManager[] {trust}, null);
      return new UpstreamTls(policy, context.getSocketFactory());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for upstream connections: " + e.getMessage(), e);
    }
  }

  void apply(Properties props) {
    TlsMode mode = policy.mode();
    props.put("mail.smtp.starttls.enable", Boolean.toString(mode != TlsMode.NONE));
    props.put("mail.smtp.starttls.required", Boolean.toString(mode == TlsMode.REQUIRED || mode == TlsMode.VERIFY));
    props.put("mail.smtp.ssl.checkserveridentity", "false");
    props.put("mail.smtp.ssl.protocols", String.join(" ", policy.minimumVersion().andNewer()));
    props.put("mail.smtp.ssl.socketFactory", socketFactory);
  }

  /**
   * Starts TLS on {@code plain} (after a {@code 220} to STARTTLS) exactly as connections of this
   * policy do: the same socket factory (certificate check, client certificate) and protocol
   * versions; the handshake runs before this returns. For step-by-step diagnosis ({@link
   * ConnectorProbe}); the transports let Angus Mail call the same factory.
   *
   * @throws IOException when the handshake fails (a {@link CertificateRefusal} in the causes says why
   *     the certificate was refused)
   */
  SSLSocket startTls(Socket plain, UpstreamHost host) throws IOException {
    SSLSocket ssl = (SSLSocket) socketFactory.createSocket(plain, host.host(), host.port(), true);
    ssl.setEnabledProtocols(policy.minimumVersion().andNewer().toArray(String[]::new));
    ssl.startHandshake();
    return ssl;
  }

  TlsPolicy policy() {
    return policy;
  }

  /**
   * Why a connection to {@code host} could not be used, naming the TLS cause precisely when there is
   * one: {@code STARTTLS not offered by mx.example:25} ({@link LocalCause#TLS_UNAVAILABLE}),
   * {@code mx.example:25: certificate expired on 2026-01-01} or {@code mx.example:25: TLS handshake
   * failed: ...} ({@link LocalCause#TLS_FAILED}); anything else (refused, timed out, greeted with
   * an error) is {@link LocalCause#CONNECTION_FAILED}.
   */
  AttemptReport.Local refusal(UpstreamHost host, MessagingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateRefusal refusal) {
        return new AttemptReport.Local(LocalCause.TLS_FAILED, host + ": " + refusal.getMessage());
      }
    }
    if (ANGUS_NO_STARTTLS.equals(e.getMessage())) {
      return new AttemptReport.Local(LocalCause.TLS_UNAVAILABLE, "STARTTLS not offered by " + host);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return new AttemptReport.Local(LocalCause.TLS_FAILED,
            host + ": TLS handshake failed: " + UpstreamConnections.describe(ssl));
      }
    }
    return new AttemptReport.Local(LocalCause.CONNECTION_FAILED, host + ": " + UpstreamConnections.describe(e));
  }

  /**
   * The hop a connection reached: {@code name}, the address {@code socket} is connected to, and,
   * when it is a TLS socket, the session's protocol and cipher suite with, under {@code verify},
   * the name the certificate was verified against (by {@link CertificateCheck#verifiedName}, the
   * rule the handshake passed).
   *
   * @param name the name the upstream is known by (configured host, or MX target)
   * @param host the host connected to: what the certificate is checked against when no names are
   *     configured
   * @param socket the connection's socket ({@link TracedSmtpTransport#socket()})
   * @return the hop, or null when the socket is unknown or not connected (nothing to report)
   */
  UpstreamHop hop(String name, UpstreamHost host, Socket socket) {
    if (socket == null || socket.getInetAddress() == null) {
      return null;
    }
    String address = socket.getInetAddress().getHostAddress();
    if (!(socket instanceof SSLSocket ssl)) {
      return UpstreamHop.plain(name, address);
    }
    SSLSession session = ssl.getSession();
    return new UpstreamHop(name, address,
        new UpstreamHop.Tls(session.getProtocol(), session.getCipherSuite(), verifiedName(session, host)), null);
  }

  private String verifiedName(SSLSession session, UpstreamHost host) {
    if (policy.mode() != TlsMode.VERIFY) {
      return null;
    }
    try {
      if (session.getPeerCertificates()[0] instanceof X509Certificate leaf) {
        return CertificateCheck.verifiedName(policy.names(), leaf, host.host()).orElse(null);
      }
    } catch (SSLPeerUnverifiedException e) {
      // no certificate to name: nothing verified
    }
    return null;
  }

  private static X509ExtendedTrustManager pkix(TlsPolicy policy) throws IOException, GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    if (policy.caBundle() == null) {
      factory.init((KeyStore) null);
    } else {
      factory.init(PemKeyMaterial.trustStore(policy.caBundle()));
    }
    return Arrays.stream(factory.getTrustManagers()).filter(X509ExtendedTrustManager.class::isInstance)
        .map(X509ExtendedTrustManager.class::cast).findFirst()
        .orElseThrow(() -> new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager"));
  }

  private static KeyManager[] keyManagers(ClientCertificate client) throws IOException {
    if (client == null) {
      return null;
    }
    char[] password = client.keyPassword() == null ? null : client.keyPassword().reveal().toCharArray();
    try {
      PemKeyMaterial material = PemKeyMaterial.read(client.certificate(), client.key(), password);
      return Arrays.stream(material.keyManagers().getKeyManagers())
          .filter(X509ExtendedKeyManager.class::isInstance)
          .map(k -> (KeyManager) new ClientCertificateKeys((X509ExtendedKeyManager) k))
          .toArray(KeyManager[]::new);
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }

  /** Opportunistic and required TLS encrypt against passive listeners only; any certificate is accepted by design. */
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
