package relay.server.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import relay.config.model.AdminToken;
import relay.core.connector.Secret;

/**
 * Who may use the admin API: the bearer tokens of the configuration, each with its role, and the
 * local token ({@link LocalToken}, role admin) for commands on the relay's own host.
 *
 * <p>Tokens are compared by their SHA-256 digests in constant time, so neither a token's content
 * nor its length leaks through timing; every configured token is compared on every call.
 * Immutable and thread-safe.
 */
public final class AdminAccess {

  private record Known(byte[] digest, Operator operator) {}

  private final List<Known> known = new ArrayList<>();

  /**
   * @param tokens the configured tokens
   * @param local the local token, named {@code local}, with the admin role
   */
  public AdminAccess(List<AdminToken> tokens, Secret local) {
    for (AdminToken t : tokens) {
      known.add(new Known(digest(t.token().reveal()), new Operator(t.name(), t.role())));
    }
    known.add(new Known(digest(local.reveal()), new Operator(LocalToken.NAME, AdminToken.Role.ADMIN)));
  }

  /** The operator an {@code Authorization} header names, or empty (no header, not a bearer token, unknown). */
  public Optional<Operator> operator(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] presented = digest(authorization.substring(7).strip());
    Operator found = null;
    for (Known k : known) {
      if (MessageDigest.isEqual(k.digest(), presented) && found == null) {
        found = k.operator();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
