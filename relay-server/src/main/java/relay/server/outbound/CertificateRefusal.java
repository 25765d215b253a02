package relay.server.outbound;

import java.security.cert.CertificateException;

/**
 * An upstream certificate refused under TLS mode {@code verify}, with a reason an operator can act
 * on ({@code certificate name mail.evil.test does not match *.mail.protection.outlook.com}). Thrown
 * from the handshake by {@link CertificateCheck}; {@link UpstreamTls} finds it again in the cause
 * chain of the failed connection so the reason reaches the log, the protocol log and the delivery
 * outcome unchanged.
 */
final class CertificateRefusal extends CertificateException {

  private static final long serialVersionUID = 1L;

  CertificateRefusal(String reason) {
    super(reason);
  }

  CertificateRefusal(String reason, Throwable cause) {
    super(reason, cause);
  }
}
