package relay.core.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import relay.core.connector.Secret;

/**
 * SMTP AUTH (RFC 4954) for the clients of one inbound connector: who may authenticate, whether they
 * must, and what authenticating grants.
 *
 * <p>Invariants: user names are non-empty; passwords are {@link Secret}s, never shown. AUTH is
 * offered only when there is at least one user, and only under TLS unless {@code allowPlaintext}
 * says otherwise, so a password never crosses the LAN in clear by accident. Password checks run in
 * time independent of the password and of whether the user exists. Immutable and thread-safe.
 *
 * @param users user name to password
 * @param required MAIL is refused with {@code 530 5.7.0} until the client authenticated
 * @param grantsRelay an authenticated client may send to any recipient domain, even when the
 *     connector itself does not relay
 * @param allowPlaintext offer AUTH on an unencrypted session too (discouraged)
 */
public record InboundAuth(Map<String, Secret> users, boolean required, boolean grantsRelay, boolean allowPlaintext) {

  /** No AUTH: nothing offered, nothing required. */
  public static final InboundAuth NONE = new InboundAuth(Map.of(), false, true, false);

  public InboundAuth {
    users = Map.copyOf(users);
    users.keySet().forEach(name -> {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("an AUTH user name is never empty");
      }
    });
  }

  /** True when EHLO should advertise AUTH on a session in this TLS state. */
  public boolean offeredOn(boolean tlsActive) {
    return !users.isEmpty() && (tlsActive || allowPlaintext);
  }

  /** True when {@code password} is the password of {@code user}; constant time in both. */
  public boolean verify(String user, String password) {
    Secret expected = users.get(user);
    // A missing user is compared against a fixed value so the timing does not tell it apart.
    byte[] want = digest(expected == null ? "\0no such user\0" : expected.reveal());
    byte[] got = digest(password);
    return MessageDigest.isEqual(want, got) & expected != null;
  }

  private static byte[] digest(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
