package relay.server.outbound.oauth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Builds the signed JWT with which a {@link ClientCertificate} proves the client's identity (RFC
 * 7523 client authentication, Microsoft's "certificate credentials").
 *
 * <p>Header: {@code alg} (RS256 or PS256), {@code typ=JWT}, {@code x5t#S256} (base64url SHA-256 of
 * the DER certificate, what Microsoft's documentation asks for today) and {@code x5t} (the SHA-1
 * thumbprint older Entra ID and AD FS look up). Claims: {@code aud} = token URL, {@code iss} =
 * {@code sub} = client id, {@code jti}, {@code nbf}, {@code iat}, {@code exp}.
 *
 * <p>Pure apart from the random {@code jti} and signature salt; stateless and thread-safe.
 */
final class ClientAssertion {

  /** How long an assertion is valid: long enough for a slow round trip, short if it leaks. */
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private ClientAssertion() {}

  /** The compact serialization {@code header.claims.signature} for a request made at {@code now}. */
  static String create(TokenEndpoint endpoint, ClientCertificate credential, Instant now) {
    X509Certificate certificate = credential.material().chain().getFirst();
    String header = JsonNodeFactory.instance.objectNode()
        .put("alg", credential.algorithm().name())
        .put("typ", "JWT")
        .put("x5t#S256", thumbprint(certificate, "SHA-256"))
        .put("x5t", thumbprint(certificate, "SHA-1"))
        .toString();
    long seconds = now.getEpochSecond();
    String claims = JsonNodeFactory.instance.objectNode()
        .put("aud", endpoint.tokenUri().toString())
        .put("iss", endpoint.clientId())
        .put("sub", endpoint.clientId())
        .put("jti", UUID.randomUUID().toString())
        .put("nbf", seconds)
        .put("iat", seconds)
        .put("exp", seconds + LIFETIME.toSeconds())
        .toString();
    String signingInput = encode(header) + "." + encode(claims);
    try {
      Signature signer = signature(credential.algorithm());
      signer.initSign(credential.material().key());
      signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the client assertion: " + e.getMessage(), e);
    }
  }

  /** A JDK signature object for the JWS algorithm (also used to verify, in tests). */
  static Signature signature(AssertionAlgorithm algorithm) throws GeneralSecurityException {
    return switch (algorithm) {
      case RS256 -> Signature.getInstance("SHA256withRSA");
      case PS256 -> {
        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        yield pss;
      }
    };
  }

  /** Base64url (no padding) of the digest of the certificate's DER encoding. */
  static String thumbprint(X509Certificate certificate, String digest) {
    try {
      return BASE64URL.encodeToString(
          MessageDigest.getInstance(digest).digest(certificate.getEncoded()));
    } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot compute the certificate thumbprint", e);
    }
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
