package relay.server.testing;

import java.math.BigDecimal;
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
import java.util.Map;
import relay.server.outbound.oauth.JsonReader;
import relay.server.outbound.oauth.JsonValue;

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
      Map<String, JsonValue> header = JsonReader.parseObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
      Map<String, JsonValue> claims = JsonReader.parseObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
      String thumbprint = Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
      if (!new JsonValue.Text(thumbprint).equals(header.get("x5t#S256"))) {
        return "unknown x5t#S256";
      }
      if (!new JsonValue.Text("JWT").equals(header.get("typ"))) {
        return "typ";
      }
      Signature verifier = switch (header.get("alg")) {
        case JsonValue.Text(String alg) when alg.equals("RS256") -> Signature.getInstance("SHA256withRSA");
        case JsonValue.Text(String alg) when alg.equals("PS256") -> {
          Signature pss = Signature.getInstance("RSASSA-PSS");
          pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
          yield pss;
        }
        case null, default -> null;
      };
      if (verifier == null) {
        return "alg";
      }
      verifier.initVerify(certificate.getPublicKey());
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(b64.decode(parts[2]))) {
        return "bad signature";
      }
      if (!new JsonValue.Text(tokenUri.toString()).equals(claims.get("aud"))) {
        return "aud";
      }
      if (!new JsonValue.Text(clientId).equals(claims.get("iss")) || !new JsonValue.Text(clientId).equals(claims.get("sub"))) {
        return "iss/sub";
      }
      if (!(claims.get("jti") instanceof JsonValue.Text(String jti)) || jti.isEmpty()) {
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

  private static Instant seconds(Map<String, JsonValue> claims, String name) {
    if (claims.get(name) instanceof JsonValue.Number(BigDecimal n)) {
      return Instant.ofEpochSecond(n.longValueExact());
    }
    throw new IllegalArgumentException(name);
  }

}
