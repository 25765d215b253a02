package relay.server.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.SocketFactory;

/**
 * Ends upstream sessions that stall: when a socket read or write has made no progress for the
 * connector's read timeout, the connection is closed and the blocked call fails with a
 * {@link java.net.SocketTimeoutException} saying how long it waited. It covers reads and writes
 * alike (a server that stops reading during DATA would otherwise block a write for good), plain or
 * under TLS (the TLS socket is layered over the watched one).
 *
 * <p>Why not the sockets' own timeouts: on a virtual thread every read with {@code SO_TIMEOUT} arms
 * and cancels a timer, and Angus's write timeout hands every write to a scheduler thread; with
 * about a dozen reads and writes per relayed message that was several per cent of the relay's CPU.
 * Here a read or write costs two volatile writes, and one ticker looks at every socket a few times
 * per timeout, so a stall is noticed between 1 and 1.25 timeouts after the call began.
 *
 * <p>Threading: sockets join when created and leave when closed, from any thread; the ticker is one
 * virtual thread per watch, stopped by {@link #close()}.
 */
final class StallWatch implements AutoCloseable {

  private final Duration timeout;
  private final String reason;
  private final LongSupplier nanoClock;
  private final Set<WatchedSocket> sockets = ConcurrentHashMap.newKeySet();
  private final Thread ticker;

  /**
   * A watch with its own ticker on the system's monotonic clock.
   *
   * @param name names the ticker thread
   * @param timeout the longest a single read or write may wait for progress
   */
  StallWatch(String name, Duration timeout) {
    this(timeout, System::nanoTime, Math.clamp(timeout.toMillis() / 4, 10, 1000), name);
  }

  /** A watch on {@code nanoClock} without a ticker: the caller runs {@link #sweep()} (tests). */
  StallWatch(Duration timeout, LongSupplier nanoClock) {
    this(timeout, nanoClock, 0, null);
  }

  private StallWatch(Duration timeout, LongSupplier nanoClock, long tickMillis, String name) {
    this.timeout = timeout;
    this.nanoClock = nanoClock;
    this.reason = "no progress from the upstream for " + timeout.toString().substring(2).toLowerCase(Locale.ROOT);
    this.ticker = tickMillis > 0 ? Thread.ofVirtual().name("stall-watch-" + name).start(() -> tick(tickMillis)) : null;
  }

  /**
   * Makes an Angus session's sockets watched ({@code mail.smtp.socketFactory}); the sockets' own
   * read and write timeouts stay unset.
   */
  void apply(Properties props) {
    props.put("mail.smtp.socketFactory", socketFactory());
    props.put("mail.smtp.socketFactory.fallback", "false");
  }

  /** A factory whose every socket is watched. */
  SocketFactory socketFactory() {
    return new SocketFactory() {
      @Override
      public Socket createSocket() {
        return watched();
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
      }
    };
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.interrupt();
    }
  }

  /** Closes every watched socket whose current read or write began more than the timeout ago. */
  void sweep() {
    long now = nanoClock.getAsLong();
    for (WatchedSocket socket : sockets) {
      socket.abortIfStalled(now, timeout.toNanos(), reason);
    }
  }

  /** The watch's clock, for the sockets to mark when a read or write begins. */
  long now() {
    return nanoClock.getAsLong();
  }

  void forget(WatchedSocket socket) {
    sockets.remove(socket);
  }

  private WatchedSocket watched() {
    WatchedSocket socket = new WatchedSocket(this);
    sockets.add(socket);
    return socket;
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress... local) throws IOException {
    WatchedSocket socket = watched();
    try {
      if (local.length > 0) {
        socket.bind(local[0]);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private void tick(long tickMillis) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(tickMillis);
        sweep();
      }
    } catch (InterruptedException e) {
      // closed
    }
  }
}
