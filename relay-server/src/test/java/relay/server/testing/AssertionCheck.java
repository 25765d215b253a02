package relay.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The fake token endpoint's check of a client assertion, done the way Entra ID describes it: the
 * {@code x5t#S256} names the registered certificate, the signature verifies with its public key
 * (RS256 or PS256), {@code aud} is the token URL, {@code iss} and {@code sub} the client id, a
 * {@code jti} is present, and {@code now} lies between {@code nbf} and {@code exp} (5 minutes skew).
 * Uses JDK crypto directly, not the code under test. Stateless.
 */
final class AssertionCheck {

  private static final Duration SKEW = Duration.ofMinutes(5);

  private AssertionCheck() {}

  /** Null when the assertion is good, else what is wrong with it. */
  static String problem(String jwt, URI tokenUri, String clientId, X509Certificate certificate, Instant now) {
    try {
      String[] parts = jwt.split("\\.", -1);
      if (parts.length != 3) {
        return "not a compact JWS";
      }
      Base64.Decoder b64 = Base64.getUrlDecoder();
      ObjectMapper json = new ObjectMapper();
      JsonNode header = json.readTree(b64.decode(parts[0]));
      JsonNode claims = json.readTree(b64.decode(parts[1]));
      String thumbprint = Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
      if (!thumbprint.equals(header.path("x5t#S256").textValue())) {
        return "unknown x5t#S256";
      }
      if (!"JWT".equals(header.path("typ").textValue())) {
        return "typ";
      }
      Signature verifier = switch (String.valueOf(header.path("alg").textValue())) {
        case "RS256" -> Signature.getInstance("SHA256withRSA");
        case "PS256" -> {
          Signature pss = Signature.getInstance("RSASSA-PSS");
          pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
          yield pss;
        }
        default -> null;
      };
      if (verifier == null) {
        return "alg";
      }
      verifier.initVerify(certificate.getPublicKey());
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(b64.decode(parts[2]))) {
        return "bad signature";
      }
      if (!tokenUri.toString().equals(claims.path("aud").textValue())) {
        return "aud";
      }
      if (!clientId.equals(claims.path("iss").textValue()) || !clientId.equals(claims.path("sub").textValue())) {
        return "iss/sub";
      }
      if (claims.path("jti").textValue() == null || claims.path("jti").textValue().isEmpty()) {
        return "jti";
      }
      if (!now.isBefore(seconds(claims, "exp").plus(SKEW)) || now.plus(SKEW).isBefore(seconds(claims, "nbf"))) {
        return "outside exp/nbf";
      }
      return null;
    } catch (Exception e) {
      return "unreadable assertion";
    }
  }

  private static Instant seconds(JsonNode claims, String name) {
    if (claims.path(name).isIntegralNumber()) {
      return Instant.ofEpochSecond(claims.get(name).longValue());
    }
    throw new IllegalArgumentException(name);
  }

}
