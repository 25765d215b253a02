package relay.server.outbound.oauth;

import java.security.interfaces.RSAPrivateKey;
import java.util.Objects;
import relay.server.tls.PemKeyMaterial;

/**
 * A certificate registered for the application, with its private key, used to sign client
 * assertions.
 *
 * <p>Invariant: the key is an RSA key (RS256 and PS256 are RSA algorithms). Immutable. {@code
 * toString()} names the certificate's subject only, never the key.
 */
public record ClientCertificate(PemKeyMaterial material, AssertionAlgorithm algorithm)
    implements ClientCredential {

  public ClientCertificate {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(algorithm, "algorithm");
    if (!(material.key() instanceof RSAPrivateKey)) {
      throw new IllegalArgumentException(
          "the client certificate's key must be RSA, not " + material.key().getAlgorithm());
    }
  }

  /** A certificate credential signing with RS256. */
  public ClientCertificate(PemKeyMaterial material) {
    this(material, AssertionAlgorithm.RS256);
  }

  @Override
  public String toString() {
    return "ClientCertificate[subject="
        + material.chain().getFirst().getSubjectX500Principal().getName()
        + ", algorithm="
        + algorithm
        + "]";
  }
}
