package relay.core.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The body stream of a spool transaction: buffers small writes in a modest fixed chunk (never the
 * whole message), passes writes of at least a chunk straight to the file channel, and keeps the
 * byte count and CRC32C of everything written.
 *
 * <p>After {@link #seal(ByteBuffer)} further writes fail, so a caller that keeps writing after commit or close
 * cannot change a queued message. Not thread-safe: one writer at a time.
 */
final class ChecksummedOutput extends OutputStream {

  // One per message being written: small, so that a flow of small messages does not allocate (and
  // collect) a large buffer each; large writes bypass it.
  private static final int BUFFER_BYTES = 8 << 10;
  private static final int SLICE_BYTES = 64 << 10;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
  private final CRC32C crc = new CRC32C();
  private long count;
  private boolean sealed;

  ChecksummedOutput(FileChannel channel) {
    this.channel = channel;
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
    crc.update(b);
    count++;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    Objects.checkFromIndexSize(offset, length, bytes.length);
    crc.update(bytes, offset, length);
    count += length;
    int at = offset;
    int left = length;
    if (left >= BUFFER_BYTES) {
      drain();
      // In slices: the JDK copies a heap buffer into a temporary direct one of the same size.
      while (left > 0) {
        ByteBuffer slice = ByteBuffer.wrap(bytes, at, Math.min(left, SLICE_BYTES));
        while (slice.hasRemaining()) {
          channel.write(slice);
        }
        at = slice.position();
        left = offset + length - at;
      }
      return;
    }
    while (left > 0) {
      if (!buffer.hasRemaining()) {
        drain();
      }
      int n = Math.min(left, buffer.remaining());
      buffer.put(bytes, at, n);
      at += n;
      left -= n;
    }
  }

  /** Pushes buffered bytes to the channel (not forced). */
  @Override
  public void flush() throws IOException {
    ensureOpen();
    drain();
  }

  /** Bytes written so far. */
  long count() {
    return count;
  }

  /** CRC32C of the bytes written so far. */
  int crc() {
    return (int) crc.getValue();
  }

  /**
   * Refuses any later write and writes what is buffered followed by {@code tail}, in one gathering
   * write when both are small.
   *
   * @return everything the file now holds from its start, body and tail, when the whole body was
   *     still buffered (a small message: its bytes need not be read back); else null
   */
  ByteBuffer seal(ByteBuffer tail) throws IOException {
    if (sealed) {
      throw new IllegalStateException("already sealed");
    }
    sealed = true;
    boolean whole = count == buffer.position();
    buffer.flip();
    ByteBuffer[] parts = {buffer, tail.duplicate()};
    while (parts[0].hasRemaining() || parts[1].hasRemaining()) {
      channel.write(parts);
    }
    if (!whole) {
      return null;
    }
    return ByteBuffer.allocate(buffer.limit() + tail.remaining()).put(buffer.rewind()).put(tail.duplicate()).flip();
  }

  /** Refuses later writes without touching the channel (used when abandoning the message). */
  void abandon() {
    sealed = true;
  }

  // Closing the body stream is a no-op: the transaction owns the file.
  @Override
  public void close() {}

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  private void ensureOpen() throws IOException {
    if (sealed) {
      throw new IOException("message body is closed: the transaction was committed or closed");
    }
  }
}
