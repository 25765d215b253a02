package relay.core.reply;

import java.util.List;
import java.util.Objects;

/**
 * One SMTP reply: a three-digit code, an optional enhanced status code and one or more text lines.
 *
 * <p>Invariant: code is 200..599; text lines contain no CR or LF. Replies sent by Relay always
 * carry an enhanced status (except the greeting 220 and the EHLO 250, RFC 2034 section 3); replies
 * read from upstream servers may lack one.
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines) {

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply has at least one line");
    }
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("reply text contains a line break");
      }
    }
  }

  public static SmtpReply of(int code, String status, String text) {
    return new SmtpReply(code, status == null ? null : EnhancedStatus.parse(status), List.of(text));
  }

  public boolean isPositive() {
    return code < 400;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500;
  }

  /** The reply as it goes on the wire, each line ending in CRLF ({@code 250-...} continuation). */
  public String toWire() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (status != null) {
        out.append(status).append(' ');
      }
      out.append(lines.get(i)).append("\r\n");
    }
    return out.toString();
  }

  /** The reply on one line for logs and traces: {@code 550 5.1.1 text / more text}. */
  @Override
  public String toString() {
    return code + (status == null ? "" : " " + status) + " " + String.join(" / ", lines);
  }
}
