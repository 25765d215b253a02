package relay.core.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The body of a queued message: the first {@code size} bytes of its message file (the envelope record
 * and trailer that follow are never exposed). Each {@link #open()} opens the file afresh, so several
 * readers can stream the same message independently.
 *
 * @param file the message file in {@code queue/}
 * @param size the body length in bytes
 */
record SpooledBody(Path file, long size) implements MessageBody {

  SpooledBody {
    Objects.requireNonNull(file, "file");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }

  @Override
  public InputStream open() throws IOException {
    return new Stream(FileChannel.open(file, StandardOpenOption.READ), size);
  }

  /** Reads the channel up to the body length; not thread-safe, like any stream. */
  private static final class Stream extends InputStream {

    private final FileChannel channel;
    private final long limit;
    private long position;

    Stream(FileChannel channel, long limit) {
      this.channel = channel;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, bytes.length);
      if (length == 0) {
        return 0;
      }
      if (position >= limit) {
        return -1;
      }
      int wanted = (int) Math.min(length, limit - position);
      int n = channel.read(ByteBuffer.wrap(bytes, offset, wanted), position);
      if (n < 0) {
        throw new IOException("spool file is shorter than its body length");
      }
      position += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long skipped = Math.max(0, Math.min(n, limit - position));
      position += skipped;
      return skipped;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, limit - position);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
