package relay.core.dsn;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import relay.core.spool.MessageBody;

/**
 * Writes one notification as bytes: the header section, then the three parts of the RFC 6522
 * {@code multipart/report; report-type=delivery-status}: the text for people, the
 * {@code message/delivery-status} for programs, and the returned original (see
 * {@link ReturnedContent}). CRLF line endings throughout; the original is streamed, never held.
 *
 * <p>Single use, one thread.
 */
final class DsnWriter {

  private final DeliveryStatusNotification dsn;
  private final ReturnedContent returned;
  private final MessageBody original;

  DsnWriter(DeliveryStatusNotification dsn, ReturnedContent returned, MessageBody original) {
    this.dsn = dsn;
    this.returned = returned;
    this.original = original;
  }

  void write(OutputStream out) throws IOException {
    DeliveryReport report = dsn.report();
    header(out, "From", "Mail Delivery System <MAILER-DAEMON@" + report.reportingMta() + ">");
    header(out, "To", dsn.recipient().address());
    header(out, "Subject", subject());
    header(out, "Date", MailDate.format(dsn.date(), dsn.settings().zone()));
    header(out, "Message-ID", "<" + dsn.messageId() + ">");
    // RFC 3834 section 5: marks the message as automatic so that responders do not answer it.
    header(out, "Auto-Submitted", "auto-replied");
    header(out, "MIME-Version", "1.0");
    header(out, "Content-Type",
        "multipart/report; report-type=delivery-status; boundary=\"" + dsn.boundary() + "\"");
    line(out, "");
    line(out, "This is a delivery status notification in MIME format.");

    String text = NotificationText.render(dsn, returned);
    delimiter(out);
    if (FieldText.isAscii(text)) {
      header(out, "Content-Type", "text/plain; charset=us-ascii");
      header(out, "Content-Description", "Notification");
      line(out, "");
      ascii(out, text);
    } else {
      header(out, "Content-Type", "text/plain; charset=utf-8");
      header(out, "Content-Description", "Notification");
      header(out, "Content-Transfer-Encoding", "quoted-printable");
      line(out, "");
      try (QuotedPrintableOutput qp = new QuotedPrintableOutput(out)) {
        qp.write(text.getBytes(StandardCharsets.UTF_8));
      }
    }

    delimiter(out);
    header(out, "Content-Type", "message/delivery-status");
    header(out, "Content-Description", "Delivery report");
    line(out, "");
    ascii(out, StatusFields.render(dsn));

    delimiter(out);
    header(out, "Content-Type", returned.contentType());
    header(out, "Content-Description", switch (returned) {
      case FULL -> "Returned message";
      case HEADERS, HEADERS_QUOTED -> "Header section of the returned message";
    });
    if (returned == ReturnedContent.HEADERS_QUOTED) {
      header(out, "Content-Transfer-Encoding", "quoted-printable");
    }
    line(out, "");
    original(out);
    ascii(out, "\r\n--" + dsn.boundary() + "--\r\n");
    out.flush();
  }

  private void original(OutputStream out) throws IOException {
    try (InputStream in = new BufferedInputStream(original.open())) {
      switch (returned) {
        case FULL -> in.transferTo(out);
        case HEADERS -> copyHeaderSection(in, out);
        case HEADERS_QUOTED -> {
          try (QuotedPrintableOutput qp = new QuotedPrintableOutput(out)) {
            copyHeaderSection(in, qp);
          }
        }
      }
    }
  }

  /** Copies the header fields, up to and without the empty line that ends them (or all of it). */
  private static void copyHeaderSection(InputStream in, OutputStream out) throws IOException {
    boolean lineStart = true;
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (lineStart && b == '\r') {
        in.mark(1);
        if (in.read() == '\n') {
          return;
        }
        in.reset();
      }
      out.write(b);
      lineStart = b == '\n';
    }
  }

  private String subject() {
    var recipients = dsn.report().recipients();
    if (recipients.stream().anyMatch(r -> r.action() == DsnAction.FAILED)) {
      return "Undelivered Mail Returned to Sender";
    }
    if (recipients.stream().anyMatch(r -> r.action() == DsnAction.DELAYED)) {
      return "Delayed Mail (still being retried)";
    }
    return "Successful Mail Delivery Report";
  }

  /** The CRLF before the boundary belongs to the delimiter (RFC 2046 section 5.1.1). */
  private void delimiter(OutputStream out) throws IOException {
    ascii(out, "\r\n--" + dsn.boundary() + "\r\n");
  }

  private static void header(OutputStream out, String name, String value) throws IOException {
    // UTF-8 only reaches here in To: for a non-ASCII recipient, sent with SMTPUTF8 (RFC 6532).
    out.write(HeaderField.fold(name, value).getBytes(StandardCharsets.UTF_8));
    out.write('\r');
    out.write('\n');
  }

  private static void line(OutputStream out, String text) throws IOException {
    ascii(out, text + "\r\n");
  }

  private static void ascii(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
  }
}
