package relay.server.outbound;

import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import relay.core.connector.ExpectedName;
import relay.server.tls.ServerTrust;

/**
 * The certificate check of TLS mode {@code verify}: the JDK's PKIX validation against the trusted
 * CAs (chain, signatures, validity period, constraints), then the name check against the expected
 * names, or the host connected to when none are configured. Every refusal is a
 * {@link CertificateRefusal} whose message says what was wrong in terms an operator knows:
 * expired on which date, issued by whom, presenting which names.
 *
 * <p>Only server certificates are checked (Relay is the client). Immutable and thread-safe.
 */
final class CertificateCheck extends ServerTrust {

  private final X509ExtendedTrustManager pkix;
  private final List<ExpectedName> names;
  private final InstantSource clock;

  /**
   * @param pkix the JDK's validator over the trusted CAs
   * @param names the expected names; empty for the host connected to
   * @param clock only used to explain a refusal (which certificate was out of its validity period)
   */
  CertificateCheck(X509ExtendedTrustManager pkix, List<ExpectedName> names, InstantSource clock) {
    this.pkix = pkix;
    this.names = List.copyOf(names);
    this.clock = clock;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw new CertificateRefusal(chainProblem(chain, e), e);
    }
    checkName(chain[0], peerHost(socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw new CertificateRefusal(chainProblem(chain, e), e);
    }
    checkName(chain[0], engine == null ? null : engine.getPeerHost());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServerTrusted(chain, authType, (Socket) null);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  private void checkName(X509Certificate leaf, String host) throws CertificateRefusal {
    if (names.isEmpty() && host == null) {
      throw new CertificateRefusal("cannot check the certificate name: the host connected to is unknown");
    }
    if (verifiedName(names, leaf, host).isPresent()) {
      return;
    }
    PresentedNames presented = PresentedNames.of(leaf);
    throw new CertificateRefusal(mismatch(leaf, presented, names.isEmpty()
        ? host : names.stream().map(ExpectedName::text).collect(Collectors.joining(" or "))));
  }

  /**
   * The name {@code leaf} satisfies: the first of {@code names} it matches, or, when no names are
   * configured, {@code host} (the host connected to) when it matches that; empty when it matches
   * none. The one rule for both the check during the handshake and the report of a session that
   * passed it ({@link UpstreamTls#hop}).
   */
  static Optional<String> verifiedName(List<ExpectedName> names, X509Certificate leaf, String host) {
    PresentedNames presented = PresentedNames.of(leaf);
    if (names.isEmpty()) {
      return host != null && matchesHost(presented, host) ? Optional.of(host) : Optional.empty();
    }
    for (ExpectedName name : names) {
      if (presented.dnsNames().stream().anyMatch(name::matches)) {
        return Optional.of(name.text());
      }
    }
    return Optional.empty();
  }

  private static boolean matchesHost(PresentedNames presented, String host) {
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      InetAddress address = InetAddress.ofLiteral(literal);
      // an IP literal host is matched by IP address entries only, never by DNS names
      return presented.addresses().contains(address);
    } catch (IllegalArgumentException notAnAddress) {
      try {
        ExpectedName name = ExpectedName.of(host);
        return presented.dnsNames().stream().anyMatch(name::matches);
      } catch (IllegalArgumentException notAHostName) {
        return false;
      }
    }
  }

  private static String mismatch(X509Certificate leaf, PresentedNames presented, String expected) {
    String shown = presented.toString();
    if (shown.isEmpty()) {
      return "certificate names no host (subject " + leaf.getSubjectX500Principal().getName() + "), expected " + expected;
    }
    boolean one = presented.dnsNames().size() + presented.addresses().size() == 1;
    return "certificate name" + (one ? " " : "s ") + shown + (one ? " does" : " do") + " not match " + expected;
  }

  /** Why PKIX refused the chain: a validity period, an unknown issuer, or (rarely) something else. */
  private String chainProblem(X509Certificate[] chain, CertificateException e) {
    if (chain == null || chain.length == 0) {
      return "no certificate presented";
    }
    Instant now = clock.instant();
    for (int i = 0; i < chain.length; i++) {
      X509Certificate c = chain[i];
      String which = i == 0 ? "certificate" : "CA certificate " + c.getSubjectX500Principal().getName();
      if (c.getNotAfter().toInstant().isBefore(now)) {
        return which + " expired on " + day(c.getNotAfter().toInstant());
      }
      if (c.getNotBefore().toInstant().isAfter(now)) {
        return which + " not valid before " + day(c.getNotBefore().toInstant());
      }
    }
    if (hasCause(e, CertPathBuilderException.class)) {
      X509Certificate leaf = chain[0];
      if (chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
        return "certificate not issued by a trusted CA (self-signed: " + leaf.getSubjectX500Principal().getName() + ")";
      }
      return "certificate not issued by a trusted CA (issuer "
          + chain[chain.length - 1].getIssuerX500Principal().getName() + ")";
    }
    return "certificate chain not accepted: " + UpstreamConnections.describe(e);
  }

  private static String day(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String peerHost(Socket socket) {
    if (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) {
      return ssl.getHandshakeSession().getPeerHost();
    }
    return null;
  }
}
