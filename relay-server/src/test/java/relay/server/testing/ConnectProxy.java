package relay.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP proxy that knows only {@code CONNECT host:port}, as the proxies of sites that reach
 * Microsoft only through one do for https: it opens a TCP tunnel to the target (names resolved on
 * loopback only) and copies bytes both ways, seeing nothing of the TLS inside. Anything but CONNECT
 * gets {@code 405}. It records every tunnel's target, so a test can prove that traffic went through it.
 *
 * <p>Listens on loopback, port 0. Thread-safe; one virtual thread per direction of each tunnel.
 */
public final class ConnectProxy implements AutoCloseable {

  /** Every {@code host:port} a client asked to be connected to, in order. */
  public final List<String> tunnels = new CopyOnWriteArrayList<>();

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  public ConnectProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.submit(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  private Void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        threads.submit(() -> tunnel(client));
      } catch (IOException e) {
        return null; // closed
      }
    }
    return null;
  }

  private Void tunnel(Socket client) throws IOException {
    try (client) {
      String head = head(client.getInputStream());
      String[] request = head.split("\r\n", 2)[0].split(" ");
      OutputStream toClient = client.getOutputStream();
      if (request.length != 3 || !request[0].equals("CONNECT")) {
        toClient.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return null;
      }
      String target = request[1];
      tunnels.add(target);
      int colon = target.lastIndexOf(':');
      // Only loopback targets: the test proxy must never reach out of the machine.
      try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(target.substring(colon + 1)))) {
        open.add(upstream);
        toClient.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        toClient.flush();
        var back = threads.submit(() -> copy(upstream.getInputStream(), toClient, client));
        copy(client.getInputStream(), upstream.getOutputStream(), upstream);
        try {
          back.get();
        } catch (Exception e) {
          // the other direction ended too
        }
      }
    }
    return null;
  }

  private static Void copy(InputStream in, OutputStream out, Socket shutOnEnd) {
    byte[] buffer = new byte[16 * 1024];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
      shutOnEnd.shutdownOutput();
    } catch (IOException e) {
      // one side hung up
    }
    return null;
  }

  /** The request line and header fields, up to the empty line. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }
}
