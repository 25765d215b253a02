package relay.core.dsn;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Objects;
import relay.core.envelope.BodyType;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.spool.MessageBody;

/**
 * A notification that is to be sent: its SMTP envelope ({@code MAIL FROM:<>}, one RCPT) and the
 * means to write its content. Made by {@link DsnBuilder}; queue it like any other message.
 *
 * <p>The content is 7-bit (so the envelope says neither {@code BODY=8BITMIME} nor
 * {@code SMTPUTF8}) unless the recipient's own address is non-ASCII: such an address can only be
 * reached with SMTPUTF8, and then the {@code To:} header carries it in UTF-8 (RFC 6532).
 *
 * <p>Immutable; {@link #writeTo} may be called more than once and from any thread.
 *
 * @param recipient the one recipient of the notification (sender of the original or the report
 *     address)
 * @param report the report, reduced to the recipients who asked for it
 * @param date the {@code Date:} of the notification
 * @param messageId the {@code Message-ID:} without angle brackets
 * @param boundary the MIME boundary of the report
 * @param settings how much of the original to return, and the time zone
 */
public record DeliveryStatusNotification(
    MailPath recipient,
    DeliveryReport report,
    Instant date,
    String messageId,
    String boundary,
    DsnSettings settings) {

  public DeliveryStatusNotification {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(date, "date");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(boundary, "boundary");
    Objects.requireNonNull(settings, "settings");
    if (recipient.isNull()) {
      throw new IllegalArgumentException("a notification cannot go to the null path");
    }
  }

  /** Always the null path: notifications are sent from the null reverse-path (RFC 5321 section 4.5.5). */
  public MailPath sender() {
    return MailPath.NULL;
  }

  /** The MAIL FROM parameters to send the notification with. */
  public MailParameters parameters() {
    return FieldText.isAscii(recipient.address())
        ? MailParameters.NONE
        : new MailParameters(-1, BodyType.EIGHT_BIT_MIME, true, null, null);
  }

  /**
   * Writes the whole notification (headers and MIME body, CRLF line endings, not dot-stuffed),
   * streaming the original from {@code original} (read twice at most, never held in memory).
   */
  public void writeTo(OutputStream out, MessageBody original) throws IOException {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(original, "original");
    new DsnWriter(this, ReturnedContent.choose(report, settings, original), original).write(out);
  }
}
