package relay.core.dsn;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import relay.core.envelope.DsnReturn;
import relay.core.spool.MessageBody;

/**
 * How much of the original a notification returns, and in which form (its third MIME part).
 *
 * <p>Policy: the whole message ({@code message/rfc822}) only in a report of failure (RFC 3461
 * section 6.2 asks that other reports return headers only), only when the sender did not ask for
 * {@code RET=HDRS}, only up to the size limit ({@code RET=FULL} and no RET have separate limits),
 * and only when the original is 7-bit with lines of at most 998 octets: message/rfc822 may not be
 * re-encoded (RFC 2046 section 5.2.1) and the notification stays 7-bit. Otherwise the header
 * section goes back as {@code text/rfc822-headers}, in quoted-printable when it holds 8-bit octets
 * or over-long lines (legal for a text type), so nothing is altered or lost and the report stays
 * 7-bit.
 *
 * <p>Deciding reads the original once (streaming); immutable afterwards.
 */
enum ReturnedContent {
  /** The whole message as message/rfc822. */
  FULL,
  /** The header section as text/rfc822-headers, as is. */
  HEADERS,
  /** The header section as text/rfc822-headers, quoted-printable. */
  HEADERS_QUOTED;

  private static final int MAX_LINE = 998;

  static ReturnedContent choose(DeliveryReport report, DsnSettings settings, MessageBody original) throws IOException {
    boolean failure = report.recipients().stream().anyMatch(r -> r.action() == DsnAction.FAILED);
    DsnReturn ret = report.envelope().parameters().dsnReturn();
    long limit = ret == DsnReturn.FULL ? settings.returnLimitWhenRequested() : settings.returnLimitByDefault();
    if (failure && ret != DsnReturn.HDRS && original.size() <= limit && isSevenBit(original, false)) {
      return FULL;
    }
    return isSevenBit(original, true) ? HEADERS : HEADERS_QUOTED;
  }

  /** True when every octet (of the header section only, if so asked) is 7-bit in lines of legal length. */
  private static boolean isSevenBit(MessageBody original, boolean headersOnly) throws IOException {
    try (InputStream in = new BufferedInputStream(original.open())) {
      int lineLength = 0;
      int previous = '\n';
      for (int b = in.read(); b >= 0; previous = b, b = in.read()) {
        if (headersOnly && lineLength == 0 && previous == '\n' && b == '\r') {
          return true;
        }
        if (b >= 0x80 || b == 0) {
          return false;
        }
        if (b == '\n') {
          lineLength = 0;
        } else if (b != '\r' && ++lineLength > MAX_LINE) {
          return false;
        }
      }
      return true;
    }
  }

  String contentType() {
    return switch (this) {
      case FULL -> "message/rfc822";
      case HEADERS -> "text/rfc822-headers; charset=us-ascii";
      // 8-bit header octets are UTF-8 when they are anything standard (RFC 6532).
      case HEADERS_QUOTED -> "text/rfc822-headers; charset=utf-8";
    };
  }
}
