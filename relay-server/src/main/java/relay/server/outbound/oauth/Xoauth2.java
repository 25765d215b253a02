package relay.server.outbound.oauth;

import relay.core.connector.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The SASL XOAUTH2 initial client response (Google's and Microsoft's format): base64 of {@code
 * user=<mailbox>^Aauth=Bearer <token>^A^A}. A pure function; the result carries the token, so it
 * goes on the wire and nowhere else.
 */
public final class Xoauth2 {

  private Xoauth2() {}

  /** The base64 initial response for {@code AUTH XOAUTH2} as {@code mailbox} with {@code token}. */
  public static String initialResponse(String mailbox, Secret token) {
    if (mailbox.isEmpty() || mailbox.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("mailbox must be a non-empty address without control characters");
    }
    String raw = "user=" + mailbox + "\u0001auth=Bearer " + token.reveal() + "\u0001\u0001";
    return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }
}
