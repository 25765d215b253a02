package relay.server.outbound;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A plain TCP socket whose reads and writes tell its {@link StallWatch} when they are waiting, so
 * that the watch can close it when one waits too long; the call then fails with a
 * {@link SocketTimeoutException} carrying the watch's reason instead of "Socket closed".
 *
 * <p>Threading: used by one thread at a time (an upstream session), except that the watch may
 * close it from its own thread; the busy mark is volatile for that.
 */
final class WatchedSocket extends Socket {

  private final StallWatch watch;
  // The watch's clock (made odd, so never 0) when the read or write under way began; 0 when none is.
  private volatile long busySince;
  private volatile String stalled;
  private InputStream in;
  private OutputStream out;

  WatchedSocket(StallWatch watch) {
    this.watch = watch;
  }

  @Override
  public InputStream getInputStream() throws IOException {
    if (in == null) {
      in = new Input(super.getInputStream());
    }
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    if (out == null) {
      out = new Output(super.getOutputStream());
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    watch.forget(this);
    super.close();
  }

  /** Called by the watch: closes the socket when its current read or write began too long ago. */
  void abortIfStalled(long now, long limitNanos, String reason) {
    long since = busySince;
    if (since != 0 && now - since > limitNanos) {
      stalled = reason;
      try {
        close();
      } catch (IOException e) {
        // closing is all that was wanted; the blocked call fails either way
      }
    }
  }

  /** Whether a read or write is under way (for tests that step the watch's clock). */
  boolean busy() {
    return busySince != 0;
  }

  private void begin() {
    busySince = watch.now() | 1;
  }

  private void end() {
    busySince = 0;
  }

  private IOException explain(IOException e) {
    String reason = stalled;
    if (reason == null) {
      return e;
    }
    SocketTimeoutException timeout = new SocketTimeoutException(reason);
    timeout.initCause(e);
    return timeout;
  }

  private final class Input extends FilterInputStream {
    Input(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      begin();
      try {
        return in.read();
      } catch (IOException e) {
        throw explain(e);
      } finally {
        end();
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      begin();
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw explain(e);
      } finally {
        end();
      }
    }
  }

  private final class Output extends FilterOutputStream {
    Output(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      begin();
      try {
        out.write(b);
      } catch (IOException e) {
        throw explain(e);
      } finally {
        end();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      begin();
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw explain(e);
      } finally {
        end();
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
