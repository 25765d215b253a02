package relay.core.delivery;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import relay.core.reply.SmtpReply;

/**
 * What Microsoft Graph answered to one {@code sendMail} request, written as the SMTP reply that the
 * spool, tracking and delivery status notifications carry: the text always says what Graph said
 * ({@code Graph HTTP 403 ErrorAccessDenied: ...}), and the code and enhanced status are the SMTP
 * equivalents whose rows in the {@link ReplyClassifier} table give the meaning (a Graph-specific row
 * comes first where the SMTP default would be wrong):
 *
 * <ul>
 *   <li>2xx: {@code 250 2.0.0} (Graph accepted; delivery is asynchronous);
 *   <li>{@code ErrorSendAsDenied}: {@code 550 5.7.60} (no Send As right: held);
 *   <li>401, 403, 404 (token, {@code Mail.Send}, application access policy, unknown mailbox):
 *       {@code 530 5.7.0} with a Graph row (held: the connector is misconfigured);
 *   <li>400 {@code ErrorInvalidRecipients}: {@code 550 5.1.1} (bounced);
 *   <li>413 or another 400: {@code 554 5.6.0} (the content as sent can never go: bounced);
 *   <li>429 and 503 with {@code Retry-After}: {@code 451 4.3.2} with a Graph row (throttled: the
 *       mailbox rests, never a bounce);
 *   <li>anything else (5xx, unknown): {@code 451 4.4.0} (transient).
 * </ul>
 *
 * @param status the HTTP status
 * @param code Microsoft's {@code error.code}, or empty
 * @param message Microsoft's {@code error.message}, or empty
 * @param retryAfter the {@code Retry-After} header, or null
 */
public record GraphAnswer(int status, String code, String message, Duration retryAfter) {

  /** The text every Graph reply starts with; the classifier's Graph rows match on it. */
  public static final String PREFIX = "Graph HTTP ";

  public GraphAnswer {
    code = Objects.requireNonNullElse(code, "");
    message = Objects.requireNonNullElse(message, "").replaceAll("[\\r\\n]+", " ").strip();
  }

  /** The reply recorded for this answer. */
  public SmtpReply reply() {
    String said = PREFIX + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message)
        + (retryAfter == null ? "" : " (Retry-After " + retryAfter.toSeconds() + "s)");
    String lower = code.toLowerCase(Locale.ROOT);
    if (status >= 200 && status < 300) {
      return SmtpReply.of(250, "2.0.0", said);
    }
    if (lower.equals("errorsendasdenied")) {
      return SmtpReply.of(550, "5.7.60", said);
    }
    if (status == 401 || status == 403 || status == 404) {
      return SmtpReply.of(530, "5.7.0", said);
    }
    if (status == 429 || (status == 503 && retryAfter != null)) {
      return SmtpReply.of(451, "4.3.2", said);
    }
    if (status == 400 && lower.equals("errorinvalidrecipients")) {
      return SmtpReply.of(550, "5.1.1", said);
    }
    if (status == 400 || status == 413) {
      return SmtpReply.of(554, "5.6.0", said);
    }
    return SmtpReply.of(451, "4.4.0", said);
  }
}
