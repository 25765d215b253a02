package relay.server.inbound;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer for the decoded content of one socket read. Unlike
 * {@link java.io.ByteArrayOutputStream} it takes no lock per write; the content decoder writes runs
 * of a line's bytes and single line-end bytes. One instance serves a whole connection ({@link
 * #reset()} between reads). Not thread-safe: filled on the event loop, then handed over as a copy.
 */
final class ChunkBuffer extends OutputStream {

  private byte[] bytes;
  private int count;

  ChunkBuffer(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  @Override
  public void write(int b) {
    if (count == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
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

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, count);
  }
}
