package relay.core.session;

import java.io.ByteArrayOutputStream;
import relay.core.routing.header.HeaderSection;

/**
 * Keeps the first bytes of a message as it streams to the spool, up to the blank line that ends the
 * header section or {@code limit} bytes, whichever comes first; never the whole message. The rules
 * that look at headers read the result at the end of DATA.
 *
 * <p>Not thread-safe: fed by one thread at a time (the session's spool lane or event loop).
 */
public final class HeaderCapture {

  /** The default bound: header sections longer than this are judged on their first 256 KiB. */
  public static final int DEFAULT_LIMIT = 256 * 1024;

  private final int limit;
  private final ByteArrayOutputStream head = new ByteArrayOutputStream();
  private boolean done;
  // The two bytes before the current one (-1 before the start), enough to spot LF LF or LF CR LF.
  private int back1 = -1;
  private int back2 = -1;

  public HeaderCapture(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    this.limit = limit;
  }

  /** Offers the next content bytes; only those up to the end of the header section are kept. */
  public void accept(byte[] bytes, int offset, int length) {
    if (done) {
      return;
    }
    // Find where the kept part of this chunk ends, then copy it in one go.
    int at = offset;
    int end = Math.min(offset + length, offset + (limit - head.size()));
    while (at < end) {
      int b = bytes[at++];
      boolean blankLine = b == '\n' && (back1 == '\n' || back1 == -1 || (back1 == '\r' && (back2 == '\n' || back2 == -1)));
      back2 = back1;
      back1 = b;
      if (blankLine) {
        done = true;
        break;
      }
    }
    head.write(bytes, offset, at - offset);
    done |= head.size() >= limit;
  }

  /** Bytes kept so far. */
  public int size() {
    return head.size();
  }

  /** The header section as read so far (complete when the blank line was seen). */
  public HeaderSection section() {
    return HeaderSection.parse(head.toByteArray());
  }
}
