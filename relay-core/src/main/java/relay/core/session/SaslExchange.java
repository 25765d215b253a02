package relay.core.session;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import relay.core.reply.Replies;
import relay.core.reply.SmtpReply;

/**
 * The SASL mechanisms PLAIN (RFC 4616) and LOGIN (the de-facto draft) as a pure step function: the
 * AUTH command or a client response in, the next step out. It only decodes; checking the password
 * is the session's job, so this class never sees a user list.
 *
 * <p>Stateless and thread-safe. Decoded credentials leave only inside {@link Step.Credentials},
 * whose {@code toString} hides the password.
 */
final class SaslExchange {

  private static final String USERNAME_CHALLENGE = b64("Username:");
  private static final String PASSWORD_CHALLENGE = b64("Password:");

  private SaslExchange() {}

  /** What happens next in an exchange. */
  sealed interface Step {
    /** Send a 334 challenge and wait for the client's next line. */
    record Challenge(String base64, PendingAuth pending) implements Step {}

    /** The client gave user and password: check them. */
    record Credentials(String user, String password) implements Step {
      @Override
      public String toString() {
        return "Credentials[" + user + "]";
      }
    }

    /** The exchange ends with this refusal. */
    record Refused(SmtpReply reply) implements Step {}
  }

  /** The AUTH command itself. */
  static Step start(Command.Auth auth) {
    String initial = auth.initialResponse();
    return switch (auth.mechanism()) {
      case "PLAIN" -> initial == null ? new Step.Challenge("", new PendingAuth.Plain()) : plain(initial);
      case "LOGIN" -> initial == null
          ? new Step.Challenge(USERNAME_CHALLENGE, new PendingAuth.LoginUser())
          : respond(new PendingAuth.LoginUser(), initial);
      default -> new Step.Refused(Replies.AUTH_UNKNOWN_MECHANISM);
    };
  }

  /** The client's line while {@code pending}. */
  static Step respond(PendingAuth pending, String line) {
    if (line.equals("*")) {
      return new Step.Refused(Replies.AUTH_CANCELLED);
    }
    return switch (pending) {
      case PendingAuth.Plain p -> plain(line);
      case PendingAuth.LoginUser u -> {
        String user = decode(line);
        if (user == null || user.isEmpty()) {
          yield new Step.Refused(Replies.AUTH_BAD_BASE64);
        }
        yield new Step.Challenge(PASSWORD_CHALLENGE, new PendingAuth.LoginPassword(user));
      }
      case PendingAuth.LoginPassword lp -> {
        String password = decode(line);
        yield password == null ? new Step.Refused(Replies.AUTH_BAD_BASE64) : new Step.Credentials(lp.user(), password);
      }
    };
  }

  /** {@code [authzid] NUL authcid NUL passwd}; an authzid other than the user is not supported. */
  private static Step plain(String response) {
    String message = response.equals("=") ? "" : decode(response);
    if (message == null) {
      return new Step.Refused(Replies.AUTH_BAD_BASE64);
    }
    String[] parts = message.split("\0", -1);
    if (parts.length != 3 || parts[1].isEmpty()) {
      return new Step.Refused(Replies.AUTH_BAD_BASE64);
    }
    if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
      return new Step.Refused(Replies.AUTH_INVALID);
    }
    return new Step.Credentials(parts[1], parts[2]);
  }

  /** The decoded UTF-8 text, or null when {@code text} is not valid base64. */
  private static String decode(String text) {
    try {
      return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
