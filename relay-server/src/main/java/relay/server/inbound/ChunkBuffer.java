package relay.server.inbound;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer for the decoded content of one socket read. Unlike
 * {@link java.io.ByteArrayOutputStream} it takes no lock per byte; the content decoder writes a byte
 * at a time. Not thread-safe: filled on the event loop, then handed over as a copy.
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

  int size() {
    return count;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, count);
  }
}
