package relay.server.inbound;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Test aid: a byte-exact SMTP client on a real socket, for what ordinary clients never send. */
final class RawClient implements AutoCloseable {

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RawClient(int port) throws IOException {
    this(null, port);
  }

  /** Connects from {@code from} (a loopback address other than 127.0.0.1, say), or any address when null. */
  RawClient(InetAddress from, int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port, from, 0);
    socket.setSoTimeout(20_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one (possibly multi-line) reply and returns its last line. */
  String reply() throws IOException {
    List<String> lines = replyLines();
    return lines.getLast();
  }

  List<String> replyLines() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = line();
      if (line == null) {
        throw new IOException("connection closed; read so far: " + lines);
      }
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) == ' ') {
        return lines;
      }
    }
  }

  /** True when the server closed the connection (end of stream). */
  boolean closedByServer() throws IOException {
    return in.read() < 0;
  }

  void startTls(SSLContext context) throws IOException {
    SSLSocket tls = (SSLSocket) context.getSocketFactory()
        .createSocket(socket, "localhost", socket.getPort(), true);
    tls.startHandshake();
    socket = tls;
    in = new BufferedInputStream(tls.getInputStream());
    out = tls.getOutputStream();
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = buf.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buf.write(b);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
