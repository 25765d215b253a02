package relay.server.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads (and for {@code .gz} files, decompresses) the next files on background threads while the
 * current one is searched: decompression is most of a search's work, and on a machine with two
 * cores it then runs beside the byte tests instead of before them (measured in docs/benchmark.md,
 * "Message trace"). At most {@link #AHEAD} files are read at once, each at most {@link #CHUNKS}
 * chunks of {@link #CHUNK} octets ahead of the reader, so memory stays a few MiB whatever the files'
 * size.
 *
 * <p>A file that was compressed (or removed) between listing and opening is read as its {@code
 * .gz} (or skipped): see {@link #missing}. Failures (a damaged gzip file) surface, as they would
 * reading the file directly, on the stream's {@code read}.
 *
 * <p>Threading: {@link #open} and the streams it returns are used by one thread; the filling threads
 * are platform threads of this object (decompressing is long CPU work, which the OS time-slices
 * with the virtual threads' carriers), stopped by {@link #close}.
 */
final class ReadAhead implements AutoCloseable {

  static final int AHEAD = 2;
  static final int CHUNK = 256 << 10;
  static final int CHUNKS = 8;
  private static final byte[] END = new byte[0];

  private final List<LogSource> sources;
  private final int to;
  private final List<Filling> started = new ArrayList<>();
  private int next;

  /** Will read {@code sources} from index {@code from} to {@code to} (exclusive), in order. */
  ReadAhead(List<LogSource> sources, int from, int to) {
    this.sources = sources;
    this.next = from;
    this.to = Math.min(to, sources.size());
  }

  /** The stream of source {@code index}, which must be the next in order; its successors start filling. */
  InputStream open(int index) {
    while (next < to && next < index + AHEAD) {
      Filling f = new Filling(sources.get(next), next);
      started.add(f);
      next++;
      f.thread = Thread.ofPlatform().name("trace-read-" + f.index).daemon(true).start(f);
    }
    Filling current = started.isEmpty() ? null : started.removeFirst();
    if (current == null || current.index != index) {
      throw new IllegalStateException("sources are opened once each, in order");
    }
    return current;
  }

  /** Whether source {@code stream} was gone, neither it nor its {@code .gz} there (valid after its end). */
  static boolean missing(InputStream stream) {
    return stream instanceof Filling f && f.missing;
  }

  @Override
  public void close() {
    for (Filling f : started) {
      f.close();
    }
    started.clear();
  }

  /** One file being read on its own thread into a bounded queue of chunks. */
  private static final class Filling extends InputStream implements Runnable {

    private final LogSource source;
    private final int index;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS);
    private volatile IOException failure;
    private volatile boolean missing;
    private volatile boolean closed;
    private Thread thread;
    private byte[] chunk = new byte[0];
    private int position;
    private boolean ended;

    Filling(LogSource source, int index) {
      this.source = source;
      this.index = index;
    }

    @Override
    public void run() {
      try (InputStream in = openWithFallback()) {
        if (in != null) {
          byte[] buffer = new byte[CHUNK];
          int filled = 0;
          for (int n; !closed && (n = in.read(buffer, filled, CHUNK - filled)) >= 0; ) {
            filled += n;
            if (filled == CHUNK) {
              chunks.put(buffer);
              buffer = new byte[CHUNK];
              filled = 0;
            }
          }
          if (filled > 0 && !closed) {
            chunks.put(Arrays.copyOf(buffer, filled));
          }
        }
      } catch (IOException e) {
        failure = e;
      } catch (InterruptedException e) {
        return; // closed
      }
      try {
        chunks.put(END);
      } catch (InterruptedException e) {
        // closed: nobody waits for the end
      }
    }

    private InputStream openWithFallback() throws IOException {
      try {
        return source.open();
      } catch (NoSuchFileException e) {
        // Compressed (or pruned) since the directory was listed: its .gz has the same lines.
        Path gz = source.path().resolveSibling(source.path().getFileName() + ".gz");
        if (!source.compressed() && Files.isRegularFile(gz)) {
          try {
            return new LogSource(gz, source.from(), source.to(), true).open();
          } catch (NoSuchFileException gone) {
            // pruned too
          }
        }
        missing = true;
        return null;
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (position == chunk.length) {
        if (ended) {
          return -1;
        }
        try {
          chunk = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading " + source.path());
        }
        position = 0;
        if (chunk == END) {
          ended = true;
          if (failure != null) {
            throw failure;
          }
        }
      }
      int n = Math.min(length, chunk.length - position);
      System.arraycopy(chunk, position, into, offset, n);
      position += n;
      return n;
    }

    @Override
    public void close() {
      closed = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }
}
