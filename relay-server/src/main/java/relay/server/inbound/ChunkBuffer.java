package relay.server.inbound;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer: the decoded content of one socket read ({@link ReadScratch}), or a
 * session's content staged for the spool ({@link SpoolLane}). Unlike {@link
 * java.io.ByteArrayOutputStream} it takes no lock per write; the content decoder writes runs of a
 * line's bytes and single line-end bytes. Not thread-safe: filled on the event loop, then handed
 * over as a copy or by {@link #take()}.
 */
final class ChunkBuffer extends OutputStream {

  private static final byte[] NONE = new byte[0];

  private byte[] bytes;
  private int count;

  /** @param initialCapacity bytes to allocate now; 0: none until the first write, which takes what it needs */
  ChunkBuffer(int initialCapacity) {
    bytes = initialCapacity == 0 ? NONE : new byte[Math.max(16, initialCapacity)];
  }

  @Override
  public void write(int b) {
    if (count == bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(16, bytes.length * 2));
    }
    bytes[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (count + len > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + len));
    }
    System.arraycopy(b, off, bytes, count, len);
    count += len;
  }

  /** Empties the buffer for the next read, keeping its storage. */
  void reset() {
    count = 0;
  }

  int size() {
    return count;
  }

  /** The storage itself, valid up to {@link #size()} until the next write or reset: no copy. */
  byte[] array() {
    return bytes;
  }

  /**
   * The content, and the buffer emptied: its own storage when the content fills it exactly (no
   * copy; the next write allocates anew), else a copy.
   */
  byte[] take() {
    byte[] content = count == bytes.length ? bytes : Arrays.copyOf(bytes, count);
    if (content == bytes) {
      bytes = NONE;
    }
    count = 0;
    return content;
  }
}
