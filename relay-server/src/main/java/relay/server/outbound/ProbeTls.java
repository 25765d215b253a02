package relay.server.outbound;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import relay.core.connector.TlsMode;
import relay.core.connector.TlsPolicy;

/**
 * The TLS steps of {@link ConnectorProbe}: a failed handshake explained (the {@link CertificateRefusal}
 * of {@link CertificateCheck}, the very check deliveries run), and a session that succeeded described
 * step by step: protocol and cipher, certificate chain and names, days until expiry (a warning under
 * {@value #EXPIRY_WARNING_DAYS}), the client certificate presented. Stateless apart from the clock.
 */
final class ProbeTls {

  static final int EXPIRY_WARNING_DAYS = 30;

  private final InstantSource clock;

  ProbeTls(InstantSource clock) {
    this.clock = clock;
  }

  /** The step for a handshake that failed with {@code e} under {@code policy}, connecting to {@code host}. */
  ProbeStep handshakeFailed(Exception e, TlsPolicy policy, String host) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateRefusal refusal) {
        String why = refusal.getMessage();
        String hint;
        if (why.contains("expired") || why.contains("not valid before")) {
          hint = "the upstream must renew its certificate; until then nothing is sent under tls = verify";
        } else if (why.contains("not issued by a trusted CA")) {
          hint = "trust the issuing CA with ca-file (for a self-signed certificate, the certificate itself), "
              + "or fix the upstream's chain; tls = required would encrypt without checking";
        } else if (why.contains("not match") || why.contains("names no host")) {
          hint = ProbeHints.certificateName(host);
        } else {
          hint = "check the upstream's certificate and the connector's tls settings";
        }
        return ProbeStep.fail("certificate", why, hint);
      }
    }
    String detail = UpstreamConnections.describe(e);
    if (detail.contains("certificate_required") || detail.contains("bad_certificate")) {
      return ProbeStep.fail("client certificate", "the upstream refused the TLS session: " + detail,
          policy.clientCertificate() == null
              ? "the upstream requires a client certificate: configure client-certificate on the connector"
              : "the upstream does not accept the client certificate: check that it trusts its issuer and expects its name");
    }
    return ProbeStep.fail("TLS", "handshake failed: " + detail, "check tls-min-version and that the upstream "
        + "speaks TLS 1.2 or newer; a proxy in between may break the handshake");
  }

  /** The steps for an established session. */
  List<ProbeStep> session(SSLSession session, TlsPolicy policy, String host) {
    ProbeStep tls = ProbeStep.pass("TLS", session.getProtocol() + ", " + session.getCipherSuite());
    X509Certificate leaf;
    List<X509Certificate> chain;
    try {
      Certificate[] peer = session.getPeerCertificates();
      chain = java.util.Arrays.stream(peer).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
      leaf = chain.getFirst();
    } catch (SSLPeerUnverifiedException | java.util.NoSuchElementException e) {
      return List.of(tls, ProbeStep.warn("certificate", "the upstream presented no certificate", null));
    }
    return List.of(tls, certificate(chain, leaf, policy, host), expiry(leaf, policy));
  }

  private ProbeStep certificate(List<X509Certificate> chain, X509Certificate leaf, TlsPolicy policy, String host) {
    PresentedNames names = PresentedNames.of(leaf);
    String described = "names " + names + "; chain " + String.join(" <- ",
        chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList())
        + " (issuer " + chain.getLast().getIssuerX500Principal().getName() + ")";
    Optional<String> matched = CertificateCheck.verifiedName(policy.names(), leaf, host);
    if (policy.mode() == TlsMode.VERIFY) {
      // the handshake passed CertificateCheck: chain trusted and name matched
      return ProbeStep.pass("certificate", described + "; verified against " + matched.orElse(host));
    }
    if (matched.isEmpty()) {
      return ProbeStep.warn("certificate", described + "; does not match "
          + (policy.names().isEmpty() ? host : policy.names().toString()) + " (not checked under tls = "
          + mode(policy) + ")", ProbeHints.certificateName(host));
    }
    return ProbeStep.pass("certificate", described + "; matches " + matched.get()
        + " (chain not verified under tls = " + mode(policy) + ")");
  }

  private ProbeStep expiry(X509Certificate leaf, TlsPolicy policy) {
    Instant notAfter = leaf.getNotAfter().toInstant();
    long days = Duration.between(clock.instant(), notAfter).toDays();
    String date = notAfter.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    if (notAfter.isBefore(clock.instant())) {
      return ProbeStep.warn("expiry", "certificate expired on " + date + " (accepted only because tls = "
          + mode(policy) + " does not check)", "the upstream must renew its certificate");
    }
    if (days < EXPIRY_WARNING_DAYS) {
      return ProbeStep.warn("expiry", "certificate expires in " + days + " days (" + date + ")",
          "the upstream must renew its certificate before " + date + (policy.mode() == TlsMode.VERIFY
              ? ", or this connector stops sending" : ""));
    }
    return ProbeStep.pass("expiry", "certificate valid for " + days + " more days (until " + date + ")");
  }

  /**
   * The client certificate step, once the upstream answered EHLO over TLS ({@code accepted}) or
   * did not: what was presented and whether the session went on.
   */
  static ProbeStep clientCertificate(SSLSession session, TlsPolicy policy, boolean accepted) {
    if (policy.clientCertificate() == null) {
      return null;
    }
    Certificate[] local = session.getLocalCertificates();
    if (local == null || local.length == 0) {
      return ProbeStep.warn("client certificate", "configured (" + policy.clientCertificate().certificate()
          + ") but not presented: the upstream did not ask for one, or named CAs it does not come from",
          "for Microsoft 365 connector relay, the inbound connector must identify the relay by certificate; "
              + "elsewhere, ask the upstream's operator whether it requests client certificates");
    }
    String subject = ((X509Certificate) local[0]).getSubjectX500Principal().getName();
    return accepted
        ? ProbeStep.pass("client certificate", "presented " + subject + "; the upstream accepted the session")
        : ProbeStep.fail("client certificate", "presented " + subject + "; the upstream ended the session",
            "the upstream does not accept this certificate: check that it trusts the issuer and expects the name");
  }

  private static String mode(TlsPolicy policy) {
    return policy.mode().name().toLowerCase(java.util.Locale.ROOT);
  }
}
