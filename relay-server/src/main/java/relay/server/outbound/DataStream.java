package relay.server.outbound;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A message's content on its way to an upstream after its {@code 354}: every bare CR and bare LF
 * becomes CRLF (DATA is line-based; servers treat bare line endings differently, which is how SMTP
 * smuggling works), a line that begins with {@code .} gets a second one (RFC 5321 section 4.5.2),
 * and {@link #finish} ends the last line if the content did not and sends the end-of-data line.
 * Bytes are gathered in one buffer and written in as few writes as it takes: a small message and
 * its end-of-data line go out in one.
 *
 * <p>Threading: used by one thread (the transaction's).
 */
final class DataStream extends OutputStream {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final int LARGEST_BUFFER = 64 << 10;

  private final OutputStream out;
  private final byte[] buffer;
  private int used;
  private boolean lineStart = true;
  private boolean afterCr;

  /**
   * @param out the session's socket stream (not closed here)
   * @param expectedSize about how large the content is, to size the buffer
   */
  DataStream(OutputStream out, long expectedSize) {
    this.out = out;
    // Room for the content, some dot-stuffing and the end-of-data line, within bounds.
    long wanted = expectedSize + expectedSize / 64 + 16;
    this.buffer = new byte[(int) Math.clamp(wanted, 512, LARGEST_BUFFER)];
  }

  @Override
  public void write(int b) throws IOException {
    put((byte) b);
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    int i = off;
    int end = off + len;
    while (i < end) {
      byte b = bytes[i];
      if (b == CR || b == LF || (lineStart && b == '.')) {
        put(b);
        i++;
        continue;
      }
      // The rest of the line up to its break (or the array's end) needs no change: copied as a run.
      int runEnd = i + 1;
      while (runEnd < end && bytes[runEnd] != CR && bytes[runEnd] != LF) {
        runEnd++;
      }
      emit(bytes, i, runEnd - i);
      afterCr = false;
      lineStart = false;
      i = runEnd;
    }
  }

  /** Ends the last line if needed, sends {@code .CRLF} and flushes everything to the socket. */
  void finish() throws IOException {
    if (!lineStart) {
      lineBreak();
    }
    emit((byte) '.');
    lineBreak();
    drain();
    out.flush();
  }

  /** Flushing is left to {@link #finish}: a flush halfway would only add a write. */
  @Override
  public void flush() {}

  private void put(byte b) throws IOException {
    if (b == LF) {
      if (!afterCr) {
        lineBreak();
      }
      afterCr = false;
      return;
    }
    afterCr = false;
    if (b == CR) {
      lineBreak();
      afterCr = true;
      return;
    }
    if (lineStart && b == '.') {
      emit((byte) '.');
    }
    emit(b);
    lineStart = false;
  }

  private void lineBreak() throws IOException {
    emit(CR);
    emit(LF);
    lineStart = true;
  }

  private void emit(byte b) throws IOException {
    if (used == buffer.length) {
      drain();
    }
    buffer[used++] = b;
  }

  private void emit(byte[] bytes, int off, int len) throws IOException {
    while (len > 0) {
      if (used == buffer.length) {
        drain();
      }
      int n = Math.min(len, buffer.length - used);
      System.arraycopy(bytes, off, buffer, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void drain() throws IOException {
    if (used > 0) {
      out.write(buffer, 0, used);
      used = 0;
    }
  }
}
