package relay.server.outbound;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import relay.core.connector.UpstreamHost;
import relay.core.reply.SmtpReply;

/**
 * A small SMTP client for {@link ConnectorProbe}: one command, one reply, so that each step can be
 * reported with exactly what the upstream said. TLS is started through the connector's own
 * {@link UpstreamTls} (same socket factory, certificate check, protocol versions and client
 * certificate as deliveries); replies are parsed by {@link UpstreamReply} like Angus Mail's.
 *
 * <p>Why not Angus Mail here: {@code SMTPTransport.connect} runs greeting, EHLO, STARTTLS and AUTH
 * as one call and reports only the last failure; a probe must show each reply on its own.
 * Not thread-safe: one conversation, one thread.
 */
final class ProbeConversation implements AutoCloseable {

  private static final int MAX_LINE = 4096;

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  ProbeConversation(Socket connected) throws IOException {
    use(connected);
  }

  private void use(Socket s) throws IOException {
    socket = s;
    in = new BufferedInputStream(s.getInputStream());
    out = s.getOutputStream();
  }

  Socket socket() {
    return socket;
  }

  /** Reads one (possibly multi-line) reply. */
  SmtpReply read() throws IOException {
    StringBuilder raw = new StringBuilder();
    int code = 0;
    while (true) {
      String line = line();
      if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
        throw new IOException("not an SMTP reply: " + line.substring(0, Math.min(line.length(), 80)));
      }
      code = Integer.parseInt(line.substring(0, 3));
      raw.append(line).append('\n');
      if (line.length() == 3 || line.charAt(3) != '-') {
        return UpstreamReply.parse(code, raw.toString());
      }
    }
  }

  /** Sends {@code command} and reads the reply. */
  SmtpReply command(String command) throws IOException {
    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read();
  }

  /** Starts TLS on this connection with {@code tls} (after a 220 to STARTTLS). */
  SSLSocket startTls(UpstreamTls tls, UpstreamHost host) throws IOException {
    SSLSocket ssl = tls.startTls(socket, host);
    use(ssl);
    return ssl;
  }

  /** Sends a message body (dot-stuffed, CRLF lines) and the final dot; returns the reply. */
  SmtpReply data(String body) throws IOException {
    StringBuilder wire = new StringBuilder();
    for (String line : body.split("\r?\n", -1)) {
      wire.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
    }
    wire.append(".\r\n");
    out.write(wire.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    return read();
  }

  /** The extension keywords of an EHLO reply (its lines after the greeting). */
  static List<String> extensions(SmtpReply ehlo) {
    List<String> lines = ehlo.lines();
    return new ArrayList<>(lines.subList(Math.min(1, lines.size()), lines.size()));
  }

  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int c;
    try {
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          break;
        }
        if (c != '\r' && bytes.size() < MAX_LINE) {
          bytes.write(c);
        }
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("no reply within the read timeout", e);
    }
    if (c == -1 && bytes.size() == 0) {
      throw new IOException("the upstream closed the connection");
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a probe connection: nothing left to report
    }
  }
}
