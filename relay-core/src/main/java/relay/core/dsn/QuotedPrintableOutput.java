package relay.core.dsn;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes octets as RFC 2045 section 6.7 quoted-printable text on the way to {@code out}: CRLF in
 * the input stays a line break, every other octet outside printable ASCII (and {@code =}) becomes
 * {@code =HH}, white space before a line break is encoded, and lines are kept to 76 characters
 * with soft breaks. {@link #close()} ends the encoding but does not close {@code out}.
 *
 * <p>Not thread-safe: one writer at a time.
 */
final class QuotedPrintableOutput extends FilterOutputStream {

  private static final int MAX_LINE = 76;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private int lineLength;
  private int pendingSpace = -1;
  private boolean pendingCr;

  QuotedPrintableOutput(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int value) throws IOException {
    int b = value & 0xff;
    if (pendingCr) {
      pendingCr = false;
      if (b == '\n') {
        flushSpace(true);
        out.write('\r');
        out.write('\n');
        lineLength = 0;
        return;
      }
      flushSpace(false);
      encoded('\r');
    }
    if (b == '\r') {
      pendingCr = true;
    } else if (b == ' ' || b == '\t') {
      flushSpace(false);
      pendingSpace = b;
    } else {
      flushSpace(false);
      if (b >= 0x21 && b <= 0x7e && b != '=') {
        literal(b);
      } else {
        encoded(b);
      }
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    for (int i = offset; i < offset + length; i++) {
      write(bytes[i]);
    }
  }

  /** Writes what is pending; {@code out} stays open. */
  @Override
  public void close() throws IOException {
    flushSpace(true);
    if (pendingCr) {
      pendingCr = false;
      encoded('\r');
    }
    out.flush();
  }

  /** A held space or tab: literal inside a line, encoded when a line break follows it. */
  private void flushSpace(boolean atLineEnd) throws IOException {
    if (pendingSpace >= 0) {
      int b = pendingSpace;
      pendingSpace = -1;
      if (atLineEnd) {
        encoded(b);
      } else {
        literal(b);
      }
    }
  }

  private void literal(int b) throws IOException {
    room(1);
    out.write(b);
    lineLength++;
  }

  private void encoded(int b) throws IOException {
    room(3);
    out.write('=');
    out.write(HEX[b >> 4]);
    out.write(HEX[b & 0xf]);
    lineLength += 3;
  }

  /** A soft line break when {@code width} more characters and the {@code =} would not fit. */
  private void room(int width) throws IOException {
    if (lineLength + width > MAX_LINE - 1) {
      out.write('=');
      out.write('\r');
      out.write('\n');
      lineLength = 0;
    }
  }
}
